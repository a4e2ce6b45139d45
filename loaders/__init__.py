"""The Bitrix24 REST client (transport, auth, throttle, batch, retries) and the sandbox portal.

This package imports nothing from :mod:`migrate`. The sandbox (:mod:`loaders.sandbox`) and the
client share no code, so a bug on one side cannot hide in its mirror image on the other.
"""

__all__: list[str] = []
