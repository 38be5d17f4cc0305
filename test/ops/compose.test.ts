import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
type Service = {
  image?: string;
  ports?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
};
const compose = (file: string) =>
  parse(readFileSync(join(root, file), 'utf8')) as { services: Record<string, Service> };

describe('docker compose and the container image', () => {
  const { services } = compose('docker-compose.yml');

  it('pins every image to a version, never a moving tag', () => {
    const images = Object.values(services).flatMap((service) => service.image ?? []);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image, image).toMatch(/:\d+\.\d+\.\d+/);
    const bases = readFileSync(join(root, 'Dockerfile'), 'utf8').match(/^FROM \S+/gm) ?? [];
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base, base).toMatch(/^FROM node:\d+\.\d+\.\d+-/);
  });

  it('publishes only the service; the stores are reachable from the host only with the ports file, on loopback', () => {
    expect(services.eventstore?.ports).toBeUndefined();
    expect(services.redis?.ports).toBeUndefined();
    expect(services.service?.ports).toEqual(['3000:3000']);
    const extra = compose('docker-compose.ports.yml').services;
    for (const ports of [extra.eventstore?.ports, extra.redis?.ports])
      for (const port of ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('checks the health of every service, the service by its readiness', () => {
    for (const [name, service] of Object.entries(services))
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    expect(services.service?.healthcheck?.test.join(' ')).toContain('/readyz');
  });

  it('keeps one keyring: no new SECRET_KEYS is asked for or generated per start', () => {
    const environment = services.service?.environment ?? {};
    // Unset, the service generates the keyring once into its data volume and reuses it.
    expect(environment.SECRET_KEYS).toMatch(/^\$\{SECRET_KEYS:-\}$/);
    expect(environment.PLATFORM_API_KEY).toMatch(/^\$\{PLATFORM_API_KEY:-\}$/);
    expect(JSON.stringify(services)).not.toMatch(/openssl|randomBytes|rand -/);
  });
});
