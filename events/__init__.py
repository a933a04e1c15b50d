"""Merci's domain: the event catalogue, the five rules both ways, and the projection. Pure: no I/O."""

from .codec import EventError, LogError, decode_event, encode_event, iter_log, read_log
from .project import Projection, contact_history, contact_view, project, replay_document
from .types import EVENT_TYPES, AnyEvent, Event

__all__ = [
    "AnyEvent", "EVENT_TYPES", "Event", "EventError", "LogError", "Projection",
    "contact_history", "contact_view", "decode_event", "encode_event", "iter_log", "project",
    "read_log", "replay_document",
]
