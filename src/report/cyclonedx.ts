/**
 * CycloneDX 1.6 JSON via the CycloneDX project's own library: the image is the metadata
 * component (type container), the OS and every package are components, each package carries
 * where it was found and the layer that added it as `shipshape:*` properties.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import { imageName, type SbomInput } from './sbom-context.js';
import type { Package } from '../inventory/types.js';

/** An SPDX id, an SPDX expression, or a free-text licence name, as CycloneDX tells them apart. */
function license(text: string): CDX.Models.License {
  const t = text.trim();
  if (CDX.SPDX.isSupportedSpdxId(t)) return new CDX.Models.SpdxLicense(t);
  if (/\s(AND|OR|WITH)\s/.test(t)) return new CDX.Models.LicenseExpression(t);
  return new CDX.Models.NamedLicense(t);
}

function prop(name: string, value: string | number): CDX.Models.Property {
  return new CDX.Models.Property(name, String(value));
}

function componentType(p: Package): CDX.Enums.ComponentType {
  return p.type === 'binary' ? CDX.Enums.ComponentType.Application : CDX.Enums.ComponentType.Library;
}

function packageComponent(p: Package, input: SbomInput, index: number): CDX.Models.Component {
  const layer = input.image.layers[p.layer];
  const properties = new CDX.Models.PropertyRepository([
    prop('shipshape:package:type', p.type),
    prop('shipshape:layer:index', p.layer),
    ...(layer?.digest ? [prop('shipshape:layer:digest', layer.digest)] : []),
    ...(layer?.diffId ? [prop('shipshape:layer:diffId', layer.diffId)] : []),
    ...(layer?.createdBy ? [prop('shipshape:layer:createdBy', layer.createdBy)] : []),
    ...p.paths.map((path) => prop('shipshape:location:path', path)),
    ...(p.innerPath ? [prop('shipshape:location:innerPath', p.innerPath)] : []),
    ...(p.sourceName ? [prop('shipshape:package:sourceName', p.sourceName)] : []),
    ...(p.sourceVersion ? [prop('shipshape:package:sourceVersion', p.sourceVersion)] : []),
    ...(p.arch ? [prop('shipshape:package:arch', p.arch)] : []),
    ...(p.ownedBy ? [prop('shipshape:package:ownedBy', p.ownedBy)] : []),
    ...(p.alsoKnownAs ?? []).map((a) => prop('shipshape:package:alsoKnownAs', a.purl)),
  ]);
  const licenses = new CDX.Models.LicenseRepository((p.licenses ?? []).filter((l) => l.trim()).map(license));
  return new CDX.Models.Component(componentType(p), p.name, {
    // purls are unique per package except for duplicates at different inner paths.
    bomRef: `${p.purl}#${index}`,
    version: p.version,
    ...(p.namespace ? { group: p.namespace } : {}),
    purl: p.purl,
    licenses,
    properties,
  });
}

export function cyclonedxJson(input: SbomInput): string {
  const bom = new CDX.Models.Bom();
  bom.metadata.timestamp = new Date(input.created);
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'shipshape', {
      version: input.toolVersion,
      group: 'shipshape',
    }),
  );
  const name = imageName(input.image);
  const root = new CDX.Models.Component(CDX.Enums.ComponentType.Container, name, {
    bomRef: 'image',
    ...(input.image.digest ? { version: input.image.digest } : {}),
    properties: new CDX.Models.PropertyRepository([
      prop('shipshape:image:input', input.image.input),
      prop('shipshape:image:platform', input.image.platform),
      ...(input.image.configDigest ? [prop('shipshape:image:configDigest', input.image.configDigest)] : []),
    ]),
  });
  bom.metadata.component = root;
  if (input.os) {
    const os = new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, input.os.family, {
      bomRef: 'os',
      ...(input.os.version ? { version: input.os.version } : {}),
      ...(input.os.name ? { description: input.os.name } : {}),
    });
    bom.components.add(os);
    root.dependencies.add(os.bomRef);
  }
  input.packages.forEach((p, i) => {
    const c = packageComponent(p, input, i);
    bom.components.add(c);
    root.dependencies.add(c.bomRef);
  });
  const serializer = new CDX.Serialize.JsonSerializer(
    new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6),
  );
  return serializer.serialize(bom, { sortLists: true, space: 2 });
}
