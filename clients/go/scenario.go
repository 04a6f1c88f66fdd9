// The standby scenario through the Go SDK v1 of Debian's package (golang-github-aws-aws-sdk-go-dev).
// Its model predates standby WorkSpaces, so it describes both sides of a pair made by another client
// and reads an error back by its type.
//
// usage: go run scenario.go ENDPOINT ACCOUNT PRIMARY_ID STANDBY_ID
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/workspaces"
)

func client(endpoint, account, region string) *workspaces.WorkSpaces {
	sess := session.Must(session.NewSession(&aws.Config{
		Endpoint:    aws.String(endpoint),
		Region:      aws.String(region),
		Credentials: credentials.NewStaticCredentials(account, "secret", ""),
		MaxRetries:  aws.Int(0),
	}))
	return workspaces.New(sess)
}

func state(ws *workspaces.WorkSpaces, id string) string {
	out, err := ws.DescribeWorkspaces(&workspaces.DescribeWorkspacesInput{WorkspaceIds: []*string{aws.String(id)}})
	if err != nil || len(out.Workspaces) != 1 {
		fmt.Fprintln(os.Stderr, "describe failed:", err)
		os.Exit(1)
	}
	return aws.StringValue(out.Workspaces[0].State)
}

func main() {
	endpoint, account, primaryID, standbyID := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	east, west := client(endpoint, account, "us-east-1"), client(endpoint, account, "us-west-2")
	result := map[string]string{"primary_state": state(east, primaryID), "standby_state": state(west, standbyID)}
	_, err := east.DescribeWorkspaces(&workspaces.DescribeWorkspacesInput{
		WorkspaceIds: []*string{aws.String(primaryID)}, BundleId: aws.String("wsb-abcdefghi")})
	if aerr, ok := err.(awserr.Error); ok {
		result["error"] = aerr.Code()
	}
	encoded, _ := json.Marshal(result)
	fmt.Println(string(encoded))
}
