/** `/c/[id]`: deep link to one conversation (the shell reads the id from the URL). */
export default function ConversationPage() {
  return null;
}
