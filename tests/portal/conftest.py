# The local OpenID Connect provider, for any portal test that signs a citizen in through it.
from tests.portal.oidc_provider import oidc_provider  # noqa: F401
