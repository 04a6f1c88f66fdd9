"""Who is calling and where: the SigV4 credential scope gives the Region, the access key the account."""

import re

from understudy.domain.scope import Scope
from understudy.protocol.authorization import Authorization

_ACCOUNT_KEY = re.compile(r"^\d{12}$")


def account_for(access_key: str | None, default_account: str, key_accounts: dict[str, str]) -> str:
    """A key of exactly 12 digits is that account (LocalStack's convention); a mapped key its account."""
    if access_key is None:
        return default_account
    if access_key in key_accounts:
        return key_accounts[access_key]
    if _ACCOUNT_KEY.match(access_key):
        return access_key
    return default_account


def resolve(auth: Authorization | None, *, default_region: str, default_account: str,
            key_accounts: dict[str, str]) -> Scope:
    """The scope of a request from its parsed authorization (the defaults for a request that has none)."""
    if auth is None:
        return Scope(default_account, default_region)
    return Scope(account_for(auth.access_key, default_account, key_accounts), auth.region)
