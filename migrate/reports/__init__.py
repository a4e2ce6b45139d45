"""Reports for people: workbooks a client can read and the one-page summary.

Each report lives in its own module (``errors_xlsx``, ``duplicates_xlsx``, ``plan_xlsx``,
``load_xlsx``, ``summary_html``); :mod:`migrate.reports._xlsx` holds what they share.
"""

__all__: list[str] = []
