/** The part of a verification outcome the services need (the verifier's full type lives in verify/). */
export interface VerifyOutcomeLike {
  readonly valid: boolean;
  readonly keyId?: string | undefined;
  readonly consumerId?: string | undefined;
}
