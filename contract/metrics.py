"""The names of the functions' own metrics that a stage's alarms watch.

The functions emit them (CloudWatch embedded metric format, in
contract.routes.METRICS_NAMESPACE, one `service` dimension); the Pulumi
program alarms on them (infra/components/alarms.py): one spelling for both.
"""

from __future__ import annotations

from typing import Final

# Mails (links or notices) the worker could not hand to SES this batch.
MAIL_FAILED: Final = "MailFailed"
# A deletion whose clean-up left some of the account's items to their TTL.
ACCOUNT_ITEMS_LEFT_BEHIND: Final = "AccountItemsLeftBehind"
