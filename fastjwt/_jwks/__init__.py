"""The machinery shared by the JWKS clients, :mod:`fastjwt.jwks_client` (threads) and :mod:`fastjwt.jwks_async`.

One concern a module: ``uri`` (which URIs are accepted, and how one is shown without its secrets), ``transport``
(the fetcher contract and the urllib transport), ``policy`` (why and when to fetch: refetch reasons, failure backoff,
``Cache-Control`` lifetimes), ``index`` (a fetched set indexed by ``kid``) and ``base`` (the state and rules both
clients share, everything but the waiting on the network).
"""
