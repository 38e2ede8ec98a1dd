import { redirect } from 'next/navigation';

/** `/` opens the chat screen; it sends signed-out visitors on to /login. */
export default function Home(): never {
  redirect('/c');
}
