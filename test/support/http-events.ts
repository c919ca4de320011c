/** An HTTP API v2 / Function URL event with AWS_IAM auth, shaped as AWS documents it. */
export function iamHttpEvent(
  userArn: string | undefined,
  headers: Record<string, string> = {},
  body = '{"id":1}',
): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'x-psarn': 'arn:aws:psarns:us-east-1:000000000000:/e',
      ...headers,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abcdefghij',
      ...(userArn === undefined
        ? {}
        : {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: '000000000000',
                callerId: 'AROAEXAMPLE:session',
                cognitoIdentity: null,
                principalOrgId: null,
                userArn,
                userId: 'AROAEXAMPLE:session',
              },
            },
          }),
      domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:22:00:00 +0000',
      timeEpoch: 1796162400000,
    },
    body,
    isBase64Encoded: false,
  };
}
