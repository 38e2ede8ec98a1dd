import type { ConversationSummary, Message } from '@chat/shared';
import { mentionsUser } from './mentions';
import type { LockRequester } from './web-locks';
import { plainText } from './plain-text';

/**
 * Browser notifications of new messages: who is told (shouldNotify), which tab tells (NotificationCoordinator: one
 * tab per browser, elected with a Web Lock; the tabs share what they show over a BroadcastChannel), the sound and
 * its switch. Permission is asked only from a button the person clicks (never on page load).
 */

/**
 * Whether a new message deserves a notification (and the sound): never for one's own messages or system messages,
 * never for the conversation on screen in a focused window (any tab of this browser), and then by the member's
 * level: `all` every message, `mentions` only messages that mention them (or `@all`), `none` nothing.
 * @param viewing true when some tab shows this conversation in a focused, visible window
 */
export function shouldNotify(
  message: Message,
  conversation: Pick<ConversationSummary, 'notificationLevel' | 'status'> | undefined,
  selfId: string,
  viewing: boolean,
): boolean {
  if (message.senderId === selfId || message.kind !== 'text' || viewing) return false;
  const level = conversation?.notificationLevel ?? 'all';
  if (level === 'none') return false;
  if (level === 'mentions') return mentionsUser(message, selfId);
  return true;
}

/** What a tab shows: the open conversation and whether its window is focused and visible. */
export interface TabView {
  tabId: string;
  attentive: boolean;
  activeId: string | null;
}

/** The part of BroadcastChannel used here (injectable for tests). */
export interface ViewChannel {
  postMessage(message: TabView): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

const LOCK_NAME = 'relay-notifier';
const CHANNEL_NAME = 'relay-tab-views';

function isTabView(value: unknown): value is TabView {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.tabId === 'string' &&
    typeof v.attentive === 'boolean' &&
    (v.activeId === null || typeof v.activeId === 'string')
  );
}

/**
 * Elects the one tab that notifies: every tab asks for the exclusive Web Lock LOCK_NAME and holds it until it
 * closes, so exactly one tab holds it at a time and the next in line takes over when it goes (the lock is released
 * with its tab). Without Web Locks (old browsers) every tab counts as the notifier. Tabs post their view (open
 * conversation, attentive) on a BroadcastChannel, so the notifier knows when another tab is showing the conversation.
 */
export class NotificationCoordinator {
  private leader = false;
  private release: (() => void) | null = null;
  private readonly views = new Map<string, TabView>();
  private own: TabView;

  /**
   * @param locks Web Locks (undefined: this tab always notifies)
   * @param channel the BroadcastChannel of tab views (null: this tab knows only itself)
   */
  constructor(
    private readonly locks: LockRequester | undefined,
    private readonly channel: ViewChannel | null,
    tabId: string,
  ) {
    this.own = { tabId, attentive: false, activeId: null };
    channel?.addEventListener('message', (event) => {
      if (!isTabView(event.data) || event.data.tabId === tabId) return;
      this.views.set(event.data.tabId, event.data);
    });
    if (!locks) {
      this.leader = true;
      return;
    }
    void locks
      .request(
        LOCK_NAME,
        () =>
          new Promise<void>((resolve) => {
            this.leader = true;
            this.release = resolve;
          }),
      )
      .catch(() => {
        this.leader = false;
      });
  }

  /** Opens the coordinator on this browser's Web Locks and BroadcastChannel. */
  static forBrowser(locks: LockRequester | undefined, tabId: string): NotificationCoordinator {
    const channel =
      typeof BroadcastChannel === 'undefined'
        ? null
        : (new BroadcastChannel(CHANNEL_NAME) as unknown as ViewChannel);
    return new NotificationCoordinator(locks, channel, tabId);
  }

  /** True while this tab is the one that notifies. */
  get isNotifier(): boolean {
    return this.leader;
  }

  /** Tells the other tabs what this tab shows now. */
  setView(attentive: boolean, activeId: string | null): void {
    if (attentive === this.own.attentive && activeId === this.own.activeId) return;
    this.own = { ...this.own, attentive, activeId };
    this.channel?.postMessage(this.own);
  }

  /** True when this or another tab shows `conversationId` in a focused, visible window. */
  viewing(conversationId: string): boolean {
    if (this.own.attentive && this.own.activeId === conversationId) return true;
    for (const view of this.views.values())
      if (view.attentive && view.activeId === conversationId) return true;
    return false;
  }

  /** Leaves the election (the next tab in line takes over) and stops listening. */
  close(): void {
    this.channel?.postMessage({ ...this.own, attentive: false, activeId: null });
    this.release?.();
    this.release = null;
    this.leader = false;
    this.channel?.close();
  }
}

/** localStorage key of the sound switch ('off' turns it off; anything else is on). */
export const SOUND_SETTING_KEY = 'relay:notification-sound';

/** Whether the notification sound is on (default on). */
export function soundEnabled(): boolean {
  try {
    return localStorage.getItem(SOUND_SETTING_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Turns the notification sound on or off (kept in this browser). */
export function setSoundEnabled(on: boolean): void {
  try {
    localStorage.setItem(SOUND_SETTING_KEY, on ? 'on' : 'off');
  } catch {
    // Storage refused (private mode): the switch lasts for this page only.
  }
}

/** The bundled sound, served by the web app itself (no CDN): a 0.15 s two-tone chime, 8 kHz mono WAV. */
export const NOTIFICATION_SOUND_URL = '/sounds/notify.wav';

/** The browser's notification permission, or 'unsupported' where there is no Notifications API. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Shows what a new message deserves (the caller checked shouldNotify): the sound when switched on, and a browser
 * notification (sender, group, text) when permitted; clicking it focuses the window and calls `open`. Never throws:
 * a browser that refuses (no audio, notifications only from a service worker) leaves the badges to tell.
 */
export function showNotification(
  message: Message,
  conversation: Pick<ConversationSummary, 'type' | 'title' | 'members'> | undefined,
  open: (conversationId: string) => void,
): void {
  if (soundEnabled()) {
    try {
      void new Audio(NOTIFICATION_SOUND_URL).play().catch(() => undefined);
    } catch {
      // No audio here.
    }
  }
  if (notificationPermission() !== 'granted') return;
  const sender = conversation?.members.find((m) => m.user.id === message.senderId)?.user;
  const name = sender?.displayName ?? 'Someone';
  const title =
    conversation?.type === 'group' && conversation.title
      ? `${name} in ${conversation.title}`
      : name;
  const text = plainText(message.body) || 'Sent an attachment';
  try {
    const notification = new Notification(title, {
      body: text.length > 200 ? `${text.slice(0, 199)}…` : text,
      tag: message.id,
    });
    notification.onclick = () => {
      window.focus();
      open(message.conversationId);
      notification.close();
    };
  } catch {
    // Some browsers (Android Chrome) allow notifications only from a service worker.
  }
}
