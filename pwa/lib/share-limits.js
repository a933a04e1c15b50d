// The limits of a coach link's request body (server/routes/shares.py `NewShare`), not of an event: the
// catalogue (lib/catalogue.js) holds events' only. tests/unit/test_catalogue.py checks they are the server's.

export const SHARE_LIMITS = Object.freeze({ labelMaxLength: 200, daysMin: 1, daysMax: 365 });
