"""Live sync: devices told "the log now ends at seq N" as soon as an append is stored, so they sync at once
instead of at their next timed round. hub.py (who follows which account), postgres.py (news from every
instance through LISTEN), the stream itself is server/routes/live.py."""
