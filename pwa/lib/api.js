/** The server's API (DESIGN.md section 4), as small functions. A request that does not reach the server
 * throws `Unreachable`; an answer other than success throws `ApiError` with the server's sentence. */

const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export class Unreachable extends Error {}

export async function request(path, { method = 'GET', token, body, raw = false, contentType = null } = {}) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const file = body instanceof Blob; // a file goes as it is (contacts import, a log), anything else as JSON
  if (body !== undefined) {
    headers['Content-Type'] = contentType ?? (file ? (body.type || 'application/octet-stream') : 'application/json');
  }
  let answer;
  try {
    answer = await fetch(path, {
      method, headers, body: body === undefined || file || contentType ? body : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new Unreachable(error.message);
  }
  if (answer.status === 204) return null;
  if (!answer.ok) {
    const payload = await answer.json().catch(() => ({}));
    if (answer.status >= 502 && answer.status <= 504 && !payload.error) throw new Unreachable(`HTTP ${answer.status}`);
    throw new ApiError(answer.status, payload.error || `HTTP ${answer.status}`, payload);
  }
  return raw ? answer : answer.json();
}

export const signUp = (fields) => request('/api/accounts', { method: 'POST', body: fields });
export const signIn = (fields) => request('/api/sessions', { method: 'POST', body: fields });
export const signOut = (token) => request('/api/sessions/logout', { method: 'POST', token });
export const listDevices = (token) => request('/api/devices', { token });
export const revokeDevice = (token, id) => request(`/api/devices/${encodeURIComponent(id)}`, { method: 'DELETE', token });
export const exportLog = (token) => request('/api/export', { token, raw: true });
export const syncEvents = (token, body) => request('/api/sync', { method: 'POST', token, body });
export const pushKey = () => request('/api/push/key');
export const saveSubscription = (token, subscription) => request('/api/push/subscriptions', { method: 'POST', token, body: subscription });
export const listSubscriptions = (token) => request('/api/push/subscriptions', { token });
export const deleteSubscription = (token, endpoint) => request('/api/push/subscriptions', { method: 'DELETE', token, body: { endpoint } });
export const sendTestPush = (token) => request('/api/push/test', { method: 'POST', token });
export const importContacts = (token, file, format, dryRun) => request(
  `/api/contacts/import?format=${encodeURIComponent(format)}${dryRun ? '&dry_run=1' : ''}`,
  { method: 'POST', token, body: file });
export const exportContacts = (token) => request('/api/contacts.vcf', { token, raw: true });
export const calendarLink = (token) => request('/api/calendar', { token });
export const rotateCalendarLink = (token) => request('/api/calendar/rotate', { method: 'POST', token });
export const changePassword = (token, fields) => request('/api/account/password', { method: 'PUT', token, body: fields });
export const eraseAccount = (token, password) => request('/api/account', { method: 'DELETE', token, body: { password } });
/** An NDJSON log (a File or text) appended to the account: {accepted, duplicates, rejected_count, rejected}. */
export const importLog = (token, ndjson) => request('/api/import', { method: 'POST', token, body: ndjson,
  contentType: 'application/x-ndjson' });
