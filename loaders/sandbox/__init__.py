"""A local Bitrix24-compatible portal for tests, benchmarks and the demo.

```python
from loaders.sandbox import SandboxConfig, create_app
app = create_app(SandboxConfig(token="secret", plan="unlimited"))   # an ASGI app
client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")
```

or serve it: :func:`serve` (blocking, for the CLI) and
:func:`loaders.sandbox.testing.running_sandbox`
(a background thread, for tests and the demo).
"""

from loaders.sandbox.app import SandboxApp, create_app
from loaders.sandbox.config import (
    FaultSpec,
    OAuthConfig,
    SandboxConfig,
    parse_faults,
    parse_item_costs,
    parse_operating_limit,
)
from loaders.sandbox.server import TlsFiles

__all__ = [
    "FaultSpec",
    "OAuthConfig",
    "SandboxApp",
    "SandboxConfig",
    "TlsFiles",
    "create_app",
    "parse_faults",
    "parse_item_costs",
    "parse_operating_limit",
]
