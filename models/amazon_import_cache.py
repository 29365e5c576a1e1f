"""What one run of the orders flow looks up once instead of once per order."""

CONTEXT_KEY = "amazon_import_cache"


class ImportCache:
    """Lookups of one run of the orders flow (plain Python, never a model).

    * **run entries**: what does not change within a run (marketplaces, taxes, fiscal
      positions, pricelists, the connector's products, shipping products, teams,
      warehouses, countries and states, offers by SKU), looked up at most once per run;
    * **page entries**: what the run looked up for the page in hand with one query each
      (the page's sale orders across the seller's accounts, its buyers); dropped with the
      next page, so that the cache stays the size of a page whatever the run's length.

    It holds record ids (records), never their values: what the ORM caches is still
    invalidated by each commit. Each order is imported in its own savepoint: what the cache
    learnt during an order whose savepoint rolled back (a record created then undone) is
    forgotten with :meth:`forget_since`.

    The import finds the run's cache in its context (:data:`CONTEXT_KEY`); without one, every
    lookup is made as it comes (Recover Order, tests of a single order).
    """

    def __init__(self):
        self.run = {}
        self.page = {}
        self._journal = []  # (dict, key, previous value or _MISSING), for forget_since

    def get(self, key, compute, page=False):
        """The cached value of ``key``, else ``compute()`` (then cached)."""
        entries = self.page if page else self.run
        if key in entries:
            return entries[key]
        value = compute()
        self.put(key, value, page=page)
        return value

    def has(self, key, page=False):
        return key in (self.page if page else self.run)

    def put(self, key, value, page=False):
        entries = self.page if page else self.run
        self._journal.append((entries, key, entries.get(key, _MISSING)))
        entries[key] = value

    def mark(self):
        """A point to come back to with :meth:`forget_since` (an order's savepoint)."""
        return len(self._journal)

    def keep(self):
        """What was learnt so far stays (an order's savepoint was released)."""
        self._journal.clear()

    def forget_since(self, mark):
        """Undo what was learnt since ``mark``: its records may not exist any more."""
        for entries, key, previous in reversed(self._journal[mark:]):
            if previous is _MISSING:
                entries.pop(key, None)
            else:
                entries[key] = previous
        del self._journal[mark:]

    def new_page(self):
        """Drop the previous page's entries."""
        self.page.clear()
        self._journal.clear()


_MISSING = object()


def import_cache(env):
    """The orders flow's cache of the run in progress in ``env``'s context, or None."""
    return env.context.get(CONTEXT_KEY)


def cached(env, key, compute, page=False):
    """``compute()``, remembered for the run when ``env`` carries a run's cache."""
    cache = import_cache(env)
    if cache is None:
        return compute()
    return cache.get(key, compute, page=page)


def cached_ref(env, xmlid):
    """``env.ref(xmlid)``, checked once per run when ``env`` carries a run's cache (``ref``
    asks the database whether the record still exists each time)."""
    return cached(env, ("ref", xmlid), lambda: env.ref(xmlid))
