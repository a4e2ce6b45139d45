"""The portal as the stages see it: opening a client for a workspace (``connect``), reading
many lists at once (``read``) and counting what a load left in the portal (``verify``)."""

from migrate.portal.connect import open_portal

__all__ = ["open_portal"]
