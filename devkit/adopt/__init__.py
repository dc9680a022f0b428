"""Adopting devkit in an existing project (`devkit init`): one module per file it edits.

Each module plans its edit from the files as they are and returns the new text; nothing
is written until every edit is planned (`plan.Plan.write`), so a failure leaves the
project as it was. The layer sits between `render` and `commands`.
"""
