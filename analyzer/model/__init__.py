"""The normalized model every loader fills and every rule reads, by concept:
``values`` (locations, provenance, unknown values), ``policies`` (policy
documents), ``resources`` (SES and IAM resources), ``dns`` (zones and
records), ``facts`` (fields as rules read them: typed, normalized, with
their state) and ``scan`` (deployments, the model of one scan, what it could not
analyze). Everything here is picklable, so loaders can run in worker
processes; import from ``analyzer.model``.
"""

from analyzer.model.values import (  # noqa: F401
    AFTER_APPLY,
    DATA,
    ERROR,
    EVALUATION,
    MAX_ALTERNATIVES,
    MODULE,
    OWNER,
    VARIABLE,
    Alternatives,
    Hop,
    LDict,
    LList,
    LStr,
    Location,
    Unknown,
    display,
    embed,
    has_marker,
    loc_of,
    passed,
    provenance,
    split_marked,
    unknowns_in,
    whole,
    without_picks,
)
from analyzer.model.facts import (  # noqa: F401
    DEFAULT,
    EXPLICIT,
    UNRESOLVED,
    Value,
    unresolved,
)
from analyzer.model.policies import (  # noqa: F401
    PRINCIPAL_TYPES,
    ConditionEntry,
    PolicyDocument,
    PrincipalEntry,
    Statement,
    documents_of,
)
from analyzer.model.resources import (  # noqa: F401
    AccessKey,
    ConfigurationSet,
    EventDestination,
    IamPolicy,
    Identity,
    IdentityPolicy,
    IdentitySetting,
    NotificationTopic,
    ReceiptRule,
    Resource,
)
from analyzer.model.dns import (  # noqa: F401
    DECLARED,
    PUBLISHED,
    DnsRecord,
    DnsZone,
)
from analyzer.model.scan import (  # noqa: F401
    Deployment,
    InputProblem,
    Model,
    ModuleNotAnalyzed,
)
