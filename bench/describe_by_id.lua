-- wrk script: DescribeWorkspaces by id, cycling over the ids in the file named by IDS_FILE.
local ids = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("IDS_FILE")) do
    ids[#ids + 1] = line
  end
end

request = function()
  i = (i % #ids) + 1
  local body = '{"WorkspaceIds": ["' .. ids[i] .. '"]}'
  local headers = {}
  headers["Content-Type"] = "application/x-amz-json-1.1"
  headers["X-Amz-Target"] = "WorkspacesService.DescribeWorkspaces"
  headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261127/us-east-1/workspaces/aws4_request, "
    .. "SignedHeaders=host;x-amz-date, Signature=0"
  return wrk.format("POST", "/", headers, body)
end
