"""The AWS JSON 1.1 wire: HTTP and the botocore service models, nothing of WorkSpaces' rules."""
