import { ErrorCode, PsarnError } from '../errors';

/** A registration that cannot be read: the message names the field and what it needs. */
export class RegistrationInvalidError extends PsarnError {
  constructor(where: string, reason: string) {
    super(ErrorCode.REGISTRATION_INVALID, `${where}: ${reason}; nothing was registered`, { where });
  }
}

/** A registration names a psARN that no route defines and does not say `create`. */
export class RegistrationRouteMissingError extends PsarnError {
  constructor(registrant: string, psarn: string, tableName: string) {
    super(
      ErrorCode.REGISTRATION_ROUTE_MISSING,
      `${registrant} registers a target on ${psarn}, but no route in ${tableName} defines it; nothing was registered. ` +
        'Add the route to routes/ and apply it, fix the psARN, or say `create: true` (--create) to let the registration create the route',
      { registrant, psarn, tableName },
    );
  }
}

/** A registration names a target another service already registered on the same psARN. */
export class RegistrationConflictError extends PsarnError {
  constructor(registrant: string, psarn: string, arn: string, owner: string) {
    super(
      ErrorCode.REGISTRATION_CONFLICT,
      `${registrant} registers ${arn} on ${psarn}, which ${owner} registered first; nothing was registered. ` +
        `Register another target, or deregister ${owner} (psarn deregister --service … --stage …) first`,
      { registrant, psarn, arn, owner },
    );
  }
}
