/** Reminders by web push on this device: whether this browser can have them, turning them on (from a tap:
 * browsers only ask for permission on a user gesture) and off, re-sending the subscription on every start
 * (browsers rarely fire `pushsubscriptionchange`), and the test notification. */

import * as api from './api.js';

/** Where this browser stands: 'ok', 'blocked' (notifications denied in its settings), 'ios_install' (iPhone
 * or iPad in Safari: push needs the app on the Home Screen, iOS 16.4+) or 'unsupported'. */
export function support() {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;
  if ('serviceWorker' in navigator && 'PushManager' in self && 'Notification' in self) {
    return Notification.permission === 'denied' ? 'blocked' : 'ok';
  }
  return ios && !standalone ? 'ios_install' : 'unsupported';
}

export class PushRefused extends Error {}

async function registration() {
  return navigator.serviceWorker.getRegistration();
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const held = subscription.options?.applicationServerKey;
  if (!held) return true; // the browser does not say: trust it
  const a = new Uint8Array(held);
  return a.length === key.length && a.every((byte, i) => byte === key[i]);
}

/** This browser's push subscription, or null. */
export async function current() {
  if (support() !== 'ok') return null;
  const reg = await registration();
  return (await reg?.pushManager.getSubscription()) ?? null;
}

/** Whether reminders are on here: permission given and a subscription held. */
export async function isOn() {
  return support() === 'ok' && Notification.permission === 'granted' && (await current()) !== null;
}

/** A subscription made with the server's current key (a key that changed means a new subscription). */
async function subscription(reg, { create }) {
  const key = keyBytes((await api.pushKey()).public_key);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub && create) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  return sub;
}

/** Turn reminders on: ask for permission (call this from a tap), subscribe, tell the server. */
export async function enable(token) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushRefused(permission);
  const reg = (await registration()) ?? (await navigator.serviceWorker.ready);
  const sub = await subscription(reg, { create: true });
  await api.saveSubscription(token, sub.toJSON());
}

/** Turn reminders off here: drop the browser's subscription and tell the server (if it cannot be told, the
 * push service answers 410 to its next message and the server forgets it then). */
export async function disable(token) {
  const sub = await current();
  if (!sub) return;
  const { endpoint } = sub;
  await sub.unsubscribe();
  try {
    await api.deleteSubscription(token, endpoint);
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
}

/** On every start: send the subscription again (new keys, a server that lost it, a new VAPID key). */
export async function refresh(token) {
  if (support() !== 'ok' || Notification.permission !== 'granted') return;
  const reg = await registration();
  if (!reg || !(await reg.pushManager.getSubscription())) return;
  const sub = await subscription(reg, { create: true });
  await api.saveSubscription(token, sub.toJSON());
}

export const sendTest = (token) => api.sendTestPush(token);
export const deliveryLog = (token) => api.listSubscriptions(token);
