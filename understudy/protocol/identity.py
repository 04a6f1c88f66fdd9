"""Who is calling and where: the SigV4 credential scope gives the Region, the access key the account."""

import re
from dataclasses import dataclass

from understudy.domain.scope import Scope

# Credential=AKID/20261127/us-east-1/workspaces/aws4_request
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_ACCOUNT_KEY = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Caller:
    access_key: str | None
    region: str | None
    signing_service: str | None


def caller(headers: dict[str, str], query: dict[str, str]) -> Caller:
    """Reads the credential scope of the header form, or of the presigned query form."""
    auth = headers.get("authorization", "")
    m = _CREDENTIAL.search(auth)
    if m is None and "X-Amz-Credential" in query:
        m = _CREDENTIAL.search("Credential=" + query["X-Amz-Credential"])
    if m is None:
        return Caller(None, None, None)
    return Caller(m.group(1), m.group(3), m.group(4))


def account_for(access_key: str | None, default_account: str, key_accounts: dict[str, str]) -> str:
    """A key of exactly 12 digits is that account (LocalStack's convention); a mapped key its account."""
    if access_key is None:
        return default_account
    if access_key in key_accounts:
        return key_accounts[access_key]
    if _ACCOUNT_KEY.match(access_key):
        return access_key
    return default_account


def resolve(
    headers: dict[str, str],
    query: dict[str, str],
    *,
    default_region: str,
    default_account: str,
    key_accounts: dict[str, str],
) -> Scope:
    c = caller(headers, query)
    return Scope(account_for(c.access_key, default_account, key_accounts), c.region or default_region)
