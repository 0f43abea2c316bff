import {renderConfigToml} from '../../config/render.js'
import type {Config} from '../../config/schema.js'

export function renderConfigShow(r: {file: string; config: Config}): string {
  return renderConfigToml(r.config, {header: `effective configuration of ${r.file}`})
}
