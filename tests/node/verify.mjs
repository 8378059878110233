// Verify one Open Badges 3.0 / VC 2.0 or 1.1 credential offline (eddsa-rdfc-2022 or
// Ed25519Signature2020).
//
// stdin:  {"credential": {...}, "sites": {"https://base/prefix/": "/abs/dir"},
//          "now": "ISO date" | null, "checkStatus": true}
// stdout: {"verified": bool, "errors": [message, ...], "statusResult": ...,
//          "raw": <@digitalbazaar/vc's result, JSON-safe>, "loaded": [urls]}
// Exit 0 whenever a result was printed; 2 on unusable input (bad JSON or `now`).
//
// `now` is passed to vc.verifyCredential (validFrom/validUntil, 300 s clock
// skew) and, unlike the status library does, to the verification of each
// BitstringStatusListCredential too. Status: the library's checkStatus only
// reports the bit (`status: true`) without failing; here a set bit for the
// purpose "revocation" or "suspension" makes the credential unverified.
import * as vc from '@digitalbazaar/vc';
import {checkStatus as bslCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {jsonSafe, makeDocumentLoader, makeSuite, readStdinJson} from './lib.mjs';

const FAILING_PURPOSES = new Set(['revocation', 'suspension']);

/** Leaf error messages of an error tree (jsigs wraps errors in `.errors`). */
function messages(error, out = []) {
  if(!error) {
    return out;
  }
  const children = [error.errors ?? []].flat();
  if(children.length) {
    children.forEach(e => messages(e, out));
  } else if(error.details?.event) {
    // jsonld safe mode: say which property or value was dropped, and why
    const {code, message, details} = error.details.event;
    out.push(`${error.message} ${code} ${JSON.stringify(details)}: ${message}`);
  } else if(error.message) {
    out.push(error.message);
  } else {
    out.push(String(error));
  }
  if(error.cause) {
    messages(error.cause, out);
  }
  return out;
}

function statusEntries(credential) {
  return [credential.credentialStatus ?? []].flat()
    .filter(cs => cs && cs.type === 'BitstringStatusListEntry');
}

/** A `checkStatus` for vc.verifyCredential that honours `now` and bits set. */
function makeStatusChecker({now}) {
  return async ({credential, documentLoader, suite}) => {
    const entries = statusEntries(credential);
    // verify every status list credential ourselves, at `now`
    for(const url of new Set(entries.map(e => e.statusListCredential))) {
      let list;
      try {
        ({document: list} = await documentLoader(url));
      } catch(e) {
        return {verified: false, error: new Error(
          `Could not load "BitstringStatusListCredential"; reason: ${e.message}`)};
      }
      const r = await vc.verifyCredential(
        {credential: list, suite, documentLoader, now});
      if(!r.verified) {
        return {verified: false, error: new Error(
          `"BitstringStatusListCredential" ${url} not verified; reason: ` +
          messages(r.error).join('; '))};
      }
    }
    const result = await bslCheckStatus({credential, documentLoader, suite,
      verifyBitstringStatusListCredential: false, verifyMatchingIssuers: true});
    if(!result.verified) {
      return result;
    }
    const set = result.results.filter(r => r.status === true &&
      FAILING_PURPOSES.has(r.credentialStatus.statusPurpose));
    if(set.length) {
      const cs = set[0].credentialStatus;
      const word = cs.statusPurpose === 'revocation' ? 'revoked' : 'suspended';
      return {...result, verified: false, error: new Error(
        `Credential is ${word}: status bit ${cs.statusListIndex} is set in ` +
        `${cs.statusListCredential} (statusPurpose "${cs.statusPurpose}").`)};
    }
    return result;
  };
}

async function main() {
  let request;
  try {
    request = await readStdinJson();
  } catch(e) {
    process.stderr.write(`verify.mjs: unreadable request: ${e.message}\n`);
    process.exit(2);
  }
  const {credential, sites = {}, now = null, checkStatus = true} = request;
  if(now !== null && (typeof now !== 'string' || isNaN(new Date(now)))) {
    process.stderr.write(`verify.mjs: "now" is not a date: ${JSON.stringify(now)}\n`);
    process.exit(2);
  }
  const documentLoader = makeDocumentLoader({sites});
  // eddsa-rdfc-2022, and the older Ed25519Signature2020 that issuers still produce
  const suite = [await makeSuite(), new Ed25519Signature2020()];
  const options = {credential, suite, documentLoader};
  if(now) {
    options.now = now;
  }
  options.checkStatus = checkStatus ? makeStatusChecker({now: options.now}) :
    async () => ({verified: true, skipped: true});

  const raw = await vc.verifyCredential(options);
  const errors = [];
  if(!raw.verified) {
    messages(raw.error, errors);
    for(const r of raw.results ?? []) {
      messages(r.error, errors);
    }
    if(raw.statusResult && !raw.statusResult.verified) {
      messages(raw.statusResult.error, errors);
    }
    if(!errors.length) {
      errors.push('not verified (the library gave no reason)');
    }
  }
  const out = {
    verified: raw.verified === true,
    errors: [...new Set(errors)],
    statusResult: jsonSafe(raw.statusResult ?? null),
    raw: jsonSafe(raw),
    loaded: documentLoader.log
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main();
