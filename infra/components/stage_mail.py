"""Mail per stage: an SES v2 sending identity (a domain with Easy DKIM, or one address) and the
configuration set every message goes through."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class StageMailArgs:
    """Who mails come from; `domain` makes a domain identity, else the address is verified."""

    sender: str  # "Display Name <address>"
    domain: str | None
    tags: dict[str, str]


class StageMail(pulumi.ComponentResource):
    """The identity the function may send as, and its configuration set."""

    identity: aws.sesv2.EmailIdentity
    configuration_set: aws.sesv2.ConfigurationSet
    from_address: str
    dns_records: pulumi.Output[list[dict[str, str]]]

    def __init__(
        self, name: str, args: StageMailArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:StageMail", name, None, opts)
        self.from_address = parseaddr(args.sender)[1]
        self.configuration_set = aws.sesv2.ConfigurationSet(
            f"{name}-configuration-set",
            configuration_set_name=name,
            # Links carry tokens: never hand a message to a server without TLS.
            delivery_options={"tls_policy": "REQUIRE"},
            reputation_options={"reputation_metrics_enabled": True},
            sending_options={"sending_enabled": True},
            # Stop mailing addresses that bounced or complained: it protects the
            # account's reputation (SES may pause sending for a high bounce rate).
            suppression_options={"suppressed_reasons": ["BOUNCE", "COMPLAINT"]},
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.identity = aws.sesv2.EmailIdentity(
            f"{name}-identity",
            # A domain identity signs with Easy DKIM (SES's default for domains)
            # once the CNAME records in `dns_records` are published; an address
            # identity (dev) is verified by clicking the mail SES sends to it.
            email_identity=args.domain or self.from_address,
            configuration_set_name=self.configuration_set.configuration_set_name,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dns_records = self._dkim_records(args.domain)
        self.register_outputs(
            {
                "identity": self.identity.email_identity,
                "configurationSet": self.configuration_set.configuration_set_name,
                "dnsRecords": self.dns_records,
            }
        )

    def _dkim_records(self, domain: str | None) -> pulumi.Output[list[dict[str, str]]]:
        if domain is None:
            return pulumi.Output.from_input([])
        # Easy DKIM: one CNAME per token, `<token>._domainkey.<domain>` to
        # `<token>.dkim.amazonses.com` (SES developer guide, "Easy DKIM").
        return self.identity.dkim_signing_attributes.apply(
            lambda attributes: [
                {
                    "type": "CNAME",
                    "name": f"{token}._domainkey.{domain}",
                    "value": f"{token}.dkim.amazonses.com",
                }
                for token in ((attributes.tokens if attributes else None) or [])
            ]
        )
