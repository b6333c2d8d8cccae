"""A receipt rule that stores mail unencrypted, or accepts it without TLS.

Why: an S3 action without a KMS key writes received mail to the bucket
encrypted only as the bucket's default, readable by everyone the bucket
policy lets read, and SES does not encrypt it for your client-side
decryption. A rule whose TLS policy is ``Optional`` (the default) accepts
mail that crossed the internet in plain text (reported at low severity,
with its own message). Values that depend on an unknown are not reported.

Example (Terraform):

    resource "aws_ses_receipt_rule" "store" {
      name          = "store"
      rule_set_name = "inbound"
      s3_action {
        bucket_name = "inbound-mail"
        position    = 1
      }
    }

Example (CloudFormation):

    Rule:
      Type: AWS::SES::ReceiptRule
      Properties:
        RuleSetName: inbound
        Rule:
          TlsPolicy: Optional
          Actions:
            - S3Action: {BucketName: inbound-mail}

Fix: add ``kms_key_arn`` (``KmsKeyArn``) to each S3 action, and set
``tls_policy = "Require"`` (``TlsPolicy: Require``).
"""

from analyzer.model import facts
from analyzer.rules import about

ID = "SES306"
NAME = "receipt-rule-unencrypted-storage"
SEVERITY = "medium"
TITLE = "Receipt rule stores mail without KMS encryption"
TAGS = ("receiving", "encryption")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses306"
SUMMARY = "a receipt rule that stores mail in S3 without a KMS key (low: one whose TLS policy is `Optional`)"
FIXES = {
    "kms": "set kms_key_arn (KmsKeyArn) on the S3 action.",
    "tls": "set tls_policy (TlsPolicy) to Require.",
}


def check(model, context):
    rule = context.rule(ID)
    for receipt_rule in model.receipt_rules:
        name = receipt_rule.label
        for index, action in enumerate(receipt_rule.s3_actions):
            if action.get("kms_key_arn") is not None:
                continue
            bucket = facts.of(action.get("bucket")).text_or("its bucket")
            yield rule.finding_on(
                f"{receipt_rule.address}: the receipt rule {name} stores received mail in {bucket} without a KMS "
                "key, so anyone who can read the bucket reads the mail.",
                receipt_rule, f"s3_actions/{index}", **about(receipt_rule, f"s3_action[{index}]/kms_key_arn"),
                fix_title=rule.fix("kms"))
        tls = receipt_rule.tls
        if tls.is_("optional"):
            written = "sets no TLS policy, so the default Optional applies" if tls.default \
                else f"sets the TLS policy {tls.shown()}"
            yield rule.finding_on(
                f"{receipt_rule.address}: the receipt rule {name} {written}: it accepts mail that was sent in "
                "plain text.",
                receipt_rule, "tls_policy", severity="low",
                **about(receipt_rule, "tls_policy", value=receipt_rule.tls_policy),
                fix_title=rule.fix("tls"))
