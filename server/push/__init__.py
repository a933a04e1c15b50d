"""Reminders by web push: keys.py (VAPID), endpoints.py (the SSRF guard), sender.py (the webpush adapter),
digest.py (the text), scheduler.py (one digest a day at the reminder hour), service.py (wired into the app)."""
