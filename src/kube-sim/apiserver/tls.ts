// Self-signed serving certificate for 127.0.0.1/localhost. It is its own CA: the kubeconfig
// carries it as certificate-authority-data, so clients verify TLS for real.
import { generate } from 'selfsigned';

export interface ServingCert {
  key: string;
  cert: string;
}

export async function selfSignedCert(host: string): Promise<ServingCert> {
  const isIp = /^[\d.]+$|:/.test(host);
  const pems = await generate([{ name: 'commonName', value: 'kube-sim' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          ...(isIp && host !== '127.0.0.1' ? [{ type: 7 as const, ip: host }] : []),
          ...(!isIp && host !== 'localhost' ? [{ type: 2 as const, value: host }] : []),
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
