// A producer Lambda that sends through the stage's router: it needs lambda:InvokeFunction on
// psarn-<stage>-router and nothing else, and never learns a real target ARN.
import { createPsarnClient } from 'psarn-router/client';

const psarn = createPsarnClient({ mode: 'router', stage: process.env.PSARN_STAGE ?? 'prod' });

export async function handler(event: { userId: string }): Promise<unknown> {
  return psarn.send(
    `arn:aws:psarns:${process.env.AWS_REGION}:${process.env.PSARN_ACCOUNT}:/event/newUser`,
    event,
    {
      eventId: event.userId,
    },
  );
}
