// The standby scenario through the JavaScript SDK v3; prints what it saw as JSON for the Python test.
// usage: node scenario.mjs ENDPOINT ACCOUNT PRIMARY_ID STANDBY_DIRECTORY_ID
import {
  WorkSpacesClient,
  CreateStandbyWorkspacesCommand,
  DescribeWorkspacesCommand,
} from "@aws-sdk/client-workspaces";

const [endpoint, account, primaryId, directoryId] = process.argv.slice(2);
const client = (region) =>
  new WorkSpacesClient({
    endpoint,
    region,
    credentials: { accessKeyId: account, secretAccessKey: "secret" },
    maxAttempts: 1,
  });
const east = client("us-east-1");
const west = client("us-west-2");

const created = await west.send(
  new CreateStandbyWorkspacesCommand({
    PrimaryRegion: "us-east-1",
    StandbyWorkspaces: [{ PrimaryWorkspaceId: primaryId, DirectoryId: directoryId }],
  }),
);
const standbyId = created.PendingStandbyRequests[0].WorkspaceId;
const standby = (await west.send(new DescribeWorkspacesCommand({ WorkspaceIds: [standbyId] }))).Workspaces[0];
const primary = (await east.send(new DescribeWorkspacesCommand({ WorkspaceIds: [primaryId] }))).Workspaces[0];
let error = null;
try {
  await west.send(
    new CreateStandbyWorkspacesCommand({
      PrimaryRegion: "us-west-2",
      StandbyWorkspaces: [{ PrimaryWorkspaceId: primaryId, DirectoryId: directoryId }],
    }),
  );
} catch (e) {
  error = e.name;
}
console.log(
  JSON.stringify({
    standby: standbyId,
    standby_sees: standby.RelatedWorkspaces,
    primary_sees: primary.RelatedWorkspaces,
    error,
  }),
);
