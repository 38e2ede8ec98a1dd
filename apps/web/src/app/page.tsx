import Link from 'next/link';
import { SignedInRedirect } from '@/components/auth/signed-in-redirect';

/**
 * `/`: what Relay is and how to get in, rendered by the server so a first-time visitor reads it at once. Someone
 * whose session the browser restores (the refresh cookie) is taken on to their conversations.
 */
export default function Home() {
  return (
    <main className="landing">
      <SignedInRedirect />
      <section className="landing-card" aria-labelledby="landing-title">
        <h1 id="landing-title" className="landing-title">
          Relay
        </h1>
        <p className="landing-lead">
          Real-time chat for you and your people: one-to-one and group conversations, in the
          browser.
        </p>
        <ul className="landing-points">
          <li>Messages arrive live on every tab and device, and nothing is lost offline.</li>
          <li>See who is online, who is typing and who has read what.</li>
          <li>Share photos and files; pictures are stripped of their location data.</li>
        </ul>
        <div className="landing-actions">
          <Link className="button primary" href="/login">
            Sign in
          </Link>
          <Link className="button" href="/register">
            Create an account
          </Link>
        </div>
      </section>
    </main>
  );
}
