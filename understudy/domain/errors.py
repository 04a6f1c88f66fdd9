"""AWS errors, each class named exactly like the error shape of the service model.

An error carries its HTTP status and the extra members its shape declares (`ResourceId`,
`reason`); the serializer writes them as `__type`, `message` and those members.
"""

from typing import NamedTuple


class Refused(NamedTuple):
    """Why one item of a batch operation failed: the item's ErrorCode and ErrorMessage, while the rest go on."""

    code: str
    message: str


class AwsError(Exception):
    status = 400
    retryable = False

    def __init__(self, message: str = "", **members: object):
        super().__init__(message)
        self.message = message
        self.members = {k: v for k, v in members.items() if v is not None}

    @property
    def code(self) -> str:
        return type(self).__name__


# Errors of the WorkSpaces model.
class AccessDeniedException(AwsError): ...
class ConflictException(AwsError): ...
class InvalidParameterCombinationException(AwsError): ...
class InvalidParameterValuesException(AwsError): ...
class InvalidResourceStateException(AwsError): ...
class OperationInProgressException(AwsError): ...
class ResourceAlreadyExistsException(AwsError): ...
class ResourceAssociatedException(AwsError): ...
class ResourceCreationFailedException(AwsError): ...
class ResourceLimitExceededException(AwsError): ...
class UnsupportedNetworkConfigurationException(AwsError): ...
class UnsupportedWorkspaceConfigurationException(AwsError): ...
class WorkspacesDefaultRoleNotFoundException(AwsError): ...
class ApplicationNotSupportedException(AwsError): ...
class ComputeNotCompatibleException(AwsError): ...
class IncompatibleApplicationsException(AwsError): ...
class OperatingSystemNotCompatibleException(AwsError): ...


class InternalServerException(AwsError):
    """[CHOSEN] 500: the model gives this shape no status and no fault flag; it names an unexpected server error."""

    status = 500


class OperationNotSupportedException(AwsError):
    def __init__(self, message: str = "", reason: str | None = None):
        super().__init__(message, reason=reason)


class ResourceNotFoundException(AwsError):
    def __init__(self, message: str = "", resource_id: str | None = None):
        super().__init__(message, ResourceId=resource_id)


# AWS's wording for a directory it cannot find [FIELD: terraform-provider-aws #31482].
DIRECTORY_NOT_FOUND = "The specified directory could not be found in the specified region."


def directory_not_found(directory_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(DIRECTORY_NOT_FOUND, resource_id=directory_id)


class ResourceInUseException(AwsError):
    def __init__(self, message: str = "", resource_id: str | None = None):
        super().__init__(message, ResourceId=resource_id)


class ResourceUnavailableException(AwsError):
    def __init__(self, message: str = "", resource_id: str | None = None):
        super().__init__(message, ResourceId=resource_id)


# Errors of the Directory Service model (the `ds` slice served beside WorkSpaces).
class ClientException(AwsError): ...
class EntityDoesNotExistException(AwsError): ...
class EntityAlreadyExistsException(AwsError): ...
class DirectoryLimitExceededException(AwsError): ...
class InvalidParameterException(AwsError): ...
class InvalidNextTokenException(AwsError): ...
class UnsupportedOperationException(AwsError): ...


class ServiceException(AwsError):
    """A fault in the model (`fault: true`), so a 500."""

    status = 500


# Errors every AWS JSON service answers, whatever its model says.
class ValidationException(AwsError): ...
class SerializationException(AwsError): ...
class UnknownOperationException(AwsError): ...
class UnrecognizedClientException(AwsError):
    status = 403


class InvalidSignatureException(AwsError):
    status = 403


class MissingAuthenticationTokenException(AwsError):
    status = 403


class IncompleteSignatureException(AwsError):
    """A malformed SigV4 Authorization header or presigned query (AWS common errors: IncompleteSignature, 403)."""

    status = 403


class RequestEntityTooLargeException(AwsError):
    """A body over the server's limit (AWS common errors: RequestEntityTooLargeException, 413)."""

    status = 413


class RequestHeaderFieldsTooLargeException(AwsError):
    """[CHOSEN] Headers over the server's limit; AWS documents no JSON error for it, so HTTP 431's name."""

    status = 431


class InvalidRegionException(AwsError):
    """[CHOSEN] A Region where AWS offers no endpoint for the service (docs/evidence.md "Regions")."""


class NotImplementedException(AwsError):
    """[CHOSEN] A modelled operation Understudy does not implement yet; SDKs do not retry 501."""

    status = 501


class RequestTimeoutException(AwsError):
    """[CHOSEN] A request that did not fully arrive in time; AWS documents no JSON error for it, so HTTP 408's name."""

    status = 408


class ServiceUnavailableException(AwsError):
    status = 503
    retryable = True


class InternalFailure(AwsError):
    status = 500
