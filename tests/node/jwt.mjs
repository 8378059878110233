// Sign a compact JWS (a VC-JWT or a status list JWT) with Node's own crypto, independently of badgesite.
//
// stdin:  {"alg": "EdDSA" | "ES256" | "RS256", "header": {...}, "payload": {...},
//          "key": <private JWK> (optional: a fresh key pair is made when absent)}
// stdout: {"token": "<header>.<payload>.<signature>", "jwk": <public JWK>, "privateJwk": <private JWK>}
// The header's "alg" is set from "alg"; ES256 signatures are r||s (IEEE P1363), as JWS requires.
import crypto from 'node:crypto';
import {readStdinJson} from './lib.mjs';

const b64url = data => Buffer.from(data).toString('base64url');

function keyPair(alg, jwk) {
  if(jwk) {
    const privateKey = crypto.createPrivateKey({key: jwk, format: 'jwk'});
    return {privateKey, publicKey: crypto.createPublicKey(privateKey)};
  }
  if(alg === 'EdDSA') {
    return crypto.generateKeyPairSync('ed25519');
  }
  if(alg === 'ES256') {
    return crypto.generateKeyPairSync('ec', {namedCurve: 'P-256'});
  }
  if(alg === 'RS256') {
    return crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
  }
  throw new Error(`unsupported alg ${alg}`);
}

const {alg, header = {}, payload, key} = await readStdinJson();
const {privateKey, publicKey} = keyPair(alg, key);
const input = `${b64url(JSON.stringify({...header, alg}))}.${b64url(JSON.stringify(payload))}`;
const data = Buffer.from(input, 'ascii');
let signature;
if(alg === 'EdDSA') {
  signature = crypto.sign(null, data, privateKey);
} else if(alg === 'ES256') {
  signature = crypto.sign('sha256', data, {key: privateKey, dsaEncoding: 'ieee-p1363'});
} else {
  signature = crypto.sign('sha256', data, privateKey);
}
process.stdout.write(JSON.stringify({
  token: `${input}.${b64url(signature)}`,
  jwk: publicKey.export({format: 'jwk'}),
  privateJwk: privateKey.export({format: 'jwk'})
}) + '\n');
