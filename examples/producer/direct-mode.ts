// A producer Lambda that resolves routes itself (client-side discovery) and calls the targets
// directly, skipping the router hop: it needs read access to psarn-<stage>-routes and send rights
// on the targets. Same cache, planner and delivery code as the router, so the same report.
import { createPsarnClient } from 'psarn-router/client';

const psarn = createPsarnClient({ mode: 'direct', stage: process.env.PSARN_STAGE ?? 'prod' });

export async function handler(event: { userId: string }): Promise<unknown> {
  return psarn.send(
    `arn:aws:psarns:${process.env.AWS_REGION}:${process.env.PSARN_ACCOUNT}:/event/newUser`,
    event,
    {
      eventId: event.userId,
    },
  );
}
