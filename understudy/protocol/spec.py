"""The only module that loads botocore's service models (`workspaces` and the `ds` slice)."""

import difflib
from functools import cache

import botocore.session
from botocore.model import OperationModel, ServiceModel

# X-Amz-Target prefix -> botocore service name.
SERVICES = {"WorkspacesService": "workspaces", "DirectoryService_20150416": "ds"}


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


@cache
def operation_model(service: str, operation: str) -> OperationModel | None:
    model = service_model(service)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


def signing_name(target: str | None) -> str | None:
    """The SigV4 signing name of the service an X-Amz-Target addresses (None for no known service)."""
    service = SERVICES.get((target or "").partition(".")[0])
    return service_model(service).signing_name if service else None


@cache
def endpoint_regions(service: str) -> frozenset[str]:
    """Regions where AWS has an endpoint for the service, from botocore's endpoint data."""
    s = _session()
    regions: set[str] = set()
    for partition in s.get_available_partitions():
        regions.update(s.get_available_regions(service, partition_name=partition))
    return frozenset(regions)


@cache
def known_regions() -> frozenset[str]:
    """Every Region name botocore knows in any partition, whatever its services (EC2 is in each of them)."""
    return endpoint_regions("ec2")


def region_advice(region: str, service: str = "workspaces") -> str:
    """What to do about a Region that has no endpoint of `service`: a typo gets the names it is close to;
    a real Region without the service gets the way to allow it anyway."""
    if region not in known_regions():
        close = difflib.get_close_matches(region, sorted(endpoint_regions(service)), n=3, cutoff=0.6)
        return f"Did you mean {' or '.join(close)}?" if close else "It is not a Region name AWS uses."
    return "Start Understudy with --any-region to allow any Region."


def operation_advice(service: str, name: str) -> str:
    """" Did you mean X?" for an operation name close to one of the service's, else nothing."""
    close = difflib.get_close_matches(name, service_model(service).operation_names, n=1, cutoff=0.7)
    return f" Did you mean {close[0]}?" if close else ""


def operation_names(service: str) -> list[str]:
    return list(service_model(service).operation_names)
