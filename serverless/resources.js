// `resources:` of serverless.yml: the route table and the router's DLQ, for now. The table's key
// schema lives in route-table.json, which the local stack (src/local/create-resources.ts) also
// reads, so the local table and the deployed one cannot drift apart.
'use strict';

const routeTable = require('./route-table.json');

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return {
    Resources: {
      RouteTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: `${service}-${stage}-routes`, ...routeTable },
      },
      RouterDlq: {
        Type: 'AWS::SQS::Queue',
        // 14 days: the longest SQS keeps a message, time to `psarn drain --dlq` after an incident.
        Properties: { QueueName: `${service}-${stage}-router-dlq`, MessageRetentionPeriod: 1209600 },
      },
    },
  };
};
