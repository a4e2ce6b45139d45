"""The Bitrix24 REST client (transport, auth, throttle, batch, retries) and the sandbox portal.

This package imports nothing from :mod:`migrate`. The sandbox (:mod:`loaders.sandbox`) and the
client share no code, so a bug on one side cannot hide in its mirror image on the other.

```python
from loaders import Bitrix24Client, Command

async with Bitrix24Client("https://example.bitrix24.ru/rest/1/CODE/") as client:
    results = await client.batch([Command("c1", "crm.contact.add", {"fields": {"NAME": "Иван"}})])
```
"""

from loaders.auth import OAuth, OAuthTokens, WebhookAuth
from loaders.batch import (
    BatchResult,
    Command,
    CommandResult,
    ReplyTime,
    build_batches,
    result_ref,
)
from loaders.client import Bitrix24Client, CallResult, ClientStats
from loaders.errors import (
    AmbiguousWrite,
    PortalAuthError,
    PortalBlocked,
    PortalError,
    PortalFieldError,
    PortalNotRest,
    PortalOperationLimited,
    PortalRateLimited,
    PortalReadOnly,
    PortalUnavailable,
    PortalUnreachable,
)
from loaders.ratelimit import PLANS, Plan
from loaders.sync import SyncBitrix24Client

__all__ = [
    "PLANS",
    "AmbiguousWrite",
    "BatchResult",
    "Bitrix24Client",
    "CallResult",
    "ClientStats",
    "Command",
    "CommandResult",
    "OAuth",
    "OAuthTokens",
    "Plan",
    "PortalAuthError",
    "PortalBlocked",
    "PortalError",
    "PortalFieldError",
    "PortalNotRest",
    "PortalOperationLimited",
    "PortalRateLimited",
    "PortalReadOnly",
    "PortalUnavailable",
    "PortalUnreachable",
    "ReplyTime",
    "SyncBitrix24Client",
    "WebhookAuth",
    "build_batches",
    "result_ref",
]
