"""Every error shape of the botocore service models Understudy serves is a class of the same name in
understudy/domain/errors.py, with the status the model gives it: every error of the WorkSpaces model, and
those of the operations of the Directory Service (`ds`) slice understudy/operations serves."""

import pytest

from understudy.domain import errors
from understudy.operations import OPERATIONS
from understudy.protocol.spec import SERVICES, service_model


def error_shapes(service: str) -> dict:
    """The error shapes of `service` Understudy may answer, by name: of the whole model for WorkSpaces (an operation
    it does not implement yet will answer them too), of the operations served for the `ds` slice."""
    model = service_model(service)
    operations = model.operation_names if service == "workspaces" else [n for (s, n) in OPERATIONS if s == service]
    return {shape.name: shape for name in operations for shape in model.operation_model(name).error_shapes}


@pytest.mark.parametrize("service", sorted(SERVICES.values()))
def test_every_modelled_error_has_a_class_of_its_name(service):
    shapes = error_shapes(service)
    assert shapes, f"no error shapes found for {service}"
    missing = sorted(name for name in shapes
                     if not (isinstance(getattr(errors, name, None), type)
                             and issubclass(getattr(errors, name), errors.AwsError)))
    assert missing == [], f"add these to understudy/domain/errors.py: {missing}"
    for name in shapes:
        assert getattr(errors, name)().code == name


@pytest.mark.parametrize("service", sorted(SERVICES.values()))
def test_each_class_answers_the_status_its_shape_declares(service):
    for name, shape in error_shapes(service).items():
        cls = getattr(errors, name)
        declared = shape.metadata.get("error", {}).get("httpStatusCode")
        if declared is not None:
            assert cls.status == declared, name
        if shape.metadata.get("fault"):
            assert cls.status >= 500, f"{name} is a fault in the model, so a 5xx"

