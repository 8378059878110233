// Sign Open Badges 3.0 / VC 2.0 credentials with eddsa-rdfc-2022, offline.
//
//   node issue.mjs                      stdin {"credential": {...unsigned...},
//                                       "key": {publicKeyMultibase, secretKeyMultibase,
//                                       controller, id}, "created": ISO | omitted,
//                                       "sites": {...} | omitted}
//                                       -> the signed credential
//   node issue.mjs --generate-key DID   -> a fresh Ed25519 Multikey pair, id DID#key-1
//   node issue.mjs --bench N            stdin as above -> {"n", "seconds",
//                                       "per_credential_ms", "first_ms"} for N vc.issue
//                                       calls in this process after one warm-up call
//                                       (timed as first_ms); startup/imports excluded
//
// `created` fixes proof.created (eddsa signatures are deterministic, so the
// output is then reproducible); by default it is the current time.
import * as vc from '@digitalbazaar/vc';
import {Ed25519Multikey, jsonSafe, makeDocumentLoader, makeSuite, readStdinJson}
  from './lib.mjs';

async function generateKey(controller) {
  const keyPair = await Ed25519Multikey.generate(
    {id: `${controller}#key-1`, controller});
  return keyPair.export({publicKey: true, secretKey: true, includeContext: true});
}

async function sign({credential, key, created, sites}, documentLoader) {
  const suite = await makeSuite({key, date: created});
  // vc.issue adds nothing to a VC 2.0 credential but the proof; copy anyway
  return vc.issue({credential: structuredClone(credential), suite,
    documentLoader});
}

async function main() {
  const [flag, arg] = process.argv.slice(2);
  if(flag === '--generate-key') {
    if(!arg) {
      throw new Error('usage: issue.mjs --generate-key CONTROLLER');
    }
    return generateKey(arg);
  }
  const request = await readStdinJson();
  const documentLoader = makeDocumentLoader({sites: request.sites});
  if(flag === '--bench') {
    const n = Number.parseInt(arg, 10);
    if(!(n > 0)) {
      throw new Error('usage: issue.mjs --bench N (N > 0)');
    }
    const t0 = process.hrtime.bigint();
    await sign(request, documentLoader);  // warm-up (contexts, JIT): not in the mean
    const first_ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const start = process.hrtime.bigint();
    for(let i = 0; i < n; i++) {
      await sign(request, documentLoader);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {n, seconds, per_credential_ms: seconds * 1000 / n, first_ms};
  }
  if(flag !== undefined) {
    throw new Error(`unknown option ${flag}`);
  }
  return sign(request, documentLoader);
}

try {
  process.stdout.write(JSON.stringify(await main()) + '\n');
} catch(e) {
  process.stderr.write(`issue.mjs: ${JSON.stringify(jsonSafe(e))}\n`);
  process.exit(1);
}
