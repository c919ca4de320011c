/**
 * How a thrown SDK error maps to an error kind, for the single-entry sends (SendMessage, Publish)
 * whose failures arrive thrown rather than as batch entries. An SDK-level input, because no
 * emulator throttles KMS: fauxqs has no server-side encryption.
 */
import { sdkFailureCode } from '../../src/targets/sdk-failure';

const thrown = (name: string, status = 400) =>
  Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

it("counts SQS's KMS throttling as throttled (retried, then a breaker's counted failure), not as rejected", () => {
  expect(sdkFailureCode(thrown('KmsThrottled'))).toBe('TARGET_THROTTLED');
  expect(sdkFailureCode(thrown('KMS.ThrottlingException'))).toBe('TARGET_THROTTLED');
  expect(sdkFailureCode(thrown('KMSThrottlingException'))).toBe('TARGET_THROTTLED');
  // A key that is disabled will not change on a retry.
  expect(sdkFailureCode(thrown('KmsDisabled'))).toBe('TARGET_FAILED');
});
