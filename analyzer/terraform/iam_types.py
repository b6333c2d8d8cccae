"""The Terraform IAM resource types sesguard reads, named where the
pre-filter (``analyzer.discover``) can use them without importing the
adapter that builds them."""

# IAM resource type -> the argument naming the user the policy applies to, or None
IAM_POLICY_TYPES = {
    "aws_iam_policy": None,
    "aws_iam_role_policy": None,
    "aws_iam_group_policy": None,
    "aws_iam_user_policy": "user",
    "aws_iam_role": None,  # its inline_policy blocks
}
# attachment type -> (argument naming the users, whether it is a list)
ATTACHMENT_TYPES = {
    "aws_iam_user_policy_attachment": ("user", False),
    "aws_iam_policy_attachment": ("users", True),
}
ACCESS_KEY_TYPE = "aws_iam_access_key"
