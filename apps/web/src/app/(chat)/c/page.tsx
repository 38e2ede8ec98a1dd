/** `/c`: the list with no conversation selected (the shell renders everything). */
export default function ConversationsIndexPage() {
  return null;
}
