import {type ConfNode, findAll, parseBraceConf, walkConf} from '../../core/parse/brace-conf.js'
import {type DnsmasqOption, parseDnsmasqConf} from '../../core/parse/dnsmasq-conf.js'
import {type IniSection, matchesName, parseIni} from '../../core/parse/ini.js'
import {type NftTable, parseNftRuleset} from '../../core/parse/nft-ruleset.js'
import type {DoctorDeps} from './types.js'

export type NetworkFile = {path: string; sections: IniSection[]}

/**
 * What the checks share, parsed once: keepalived.conf (with includes), the .network files,
 * networkd.conf, dnsmasq.conf, the nftables ruleset. Each getter returns undefined when the
 * file is not there, so each check can say so in its own words.
 */
export class DoctorContext {
  private cache = new Map<string, unknown>()

  constructor(readonly deps: DoctorDeps) {}

  get config() { return this.deps.config }
  get fs() { return this.deps.fs }

  /** Computes a value once per doctor run (checks that share an ssh call or a parse). */
  memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make())
    return this.cache.get(key) as T
  }

  /** keepalived.conf as a block tree, `include` lines expanded; undefined when missing. */
  keepalived(): ConfNode[] | undefined {
    return this.memo('keepalived', () => {
      const text = this.fs.read(this.config.keepalived.config)
      if (text === undefined) return undefined
      return parseBraceConf(this.expandIncludes(text, 0))
    })
  }

  /** The ha-tool command lines keepalived runs: notify*, vrrp_script scripts, *_fifo_script. */
  keepalivedScripts(): Array<{key: string; command: string; line: number}> {
    const tree = this.keepalived() ?? []
    const keys = /^(notify|notify_master|notify_backup|notify_fault|notify_stop|notify_deleted|script|vrrp_notify_fifo_script|notify_fifo_script)$/
    return walkConf(tree).filter((n) => keys.test(n.key) && n.args.length > 0).map((n) => ({key: n.key, command: n.args[0], line: n.line}))
  }

  globalDefs(): ConfNode[] {
    return findAll(this.keepalived() ?? [], 'global_defs').flatMap((g) => g.children)
  }

  /** The .network files under doctor.networkd_dir (and /run, /usr/lib overrides are not followed). */
  networkFiles(): NetworkFile[] {
    return this.memo('network', () => {
      const dir = this.config.doctor.networkd_dir
      return this.fs.list(dir).filter((n) => n.endsWith('.network')).map((name) => {
        const path = `${dir}/${name}`
        const dropins = this.fs.list(`${path}.d`).filter((n) => n.endsWith('.conf')).map((n) => this.fs.read(`${path}.d/${n}`) ?? '')
        return {path, sections: parseIni([this.fs.read(path) ?? '', ...dropins].join('\n'))}
      })
    })
  }

  /** networkd applies the first .network file (in lexical order) that matches a link. */
  networkFor(iface: string): NetworkFile | undefined {
    return this.networkFiles().find((f) => matchesName(f.sections, iface))
  }

  /** networkd.conf followed by its drop-ins (the last assignment wins). */
  networkdConf(): IniSection[] {
    return this.memo('networkd.conf', () => {
      const main = this.config.doctor.networkd_conf
      const dropins = this.fs.list(`${main}.d`).filter((n) => n.endsWith('.conf')).map((n) => this.fs.read(`${main}.d/${n}`) ?? '')
      return parseIni([this.fs.read(main) ?? '', ...dropins].join('\n'))
    })
  }

  /** dnsmasq.conf with conf-file= and conf-dir= followed; undefined when the main file is missing. */
  dnsmasq(): DnsmasqOption[] | undefined {
    return this.memo('dnsmasq', () => {
      const text = this.fs.read(this.config.doctor.dnsmasq_conf)
      if (text === undefined) return undefined
      const out: DnsmasqOption[] = []
      const add = (t: string, depth: number) => {
        for (const o of parseDnsmasqConf(t)) {
          if (depth < 4 && o.name === 'conf-file') add(this.fs.read(o.value) ?? '', depth + 1)
          else if (depth < 4 && o.name === 'conf-dir') {
            const [dir, ...filters] = o.value.split(',')
            const wanted = filters.filter((f) => f.startsWith('*')).map((f) => f.slice(1))
            const skipped = filters.filter((f) => !f.startsWith('*'))
            for (const n of this.fs.list(dir)) {
              if (n.startsWith('.') || n.endsWith('~') || skipped.some((s) => n.endsWith(s))) continue
              if (wanted.length > 0 && !wanted.some((w) => n.endsWith(w))) continue
              add(this.fs.read(`${dir}/${n}`) ?? '', depth + 1)
            }
          } else out.push(o)
        }
      }
      add(text, 0)
      return out
    })
  }

  /** The live ruleset (`nft list ruleset`) on the node itself, else nftables.conf under the root. */
  async nftables(): Promise<{tables: NftTable[]; source: string} | undefined> {
    if (this.cache.has('nft')) return this.cache.get('nft') as {tables: NftTable[]; source: string} | undefined
    let result: {tables: NftTable[]; source: string} | undefined
    if (this.deps.live) {
      try {
        const text = await this.deps.probes.nftRuleset()
        if (text !== undefined) result = {tables: parseNftRuleset(text), source: 'the live ruleset (nft list ruleset)'}
      } catch { /* nft missing: fall back to the file */ }
    }
    if (!result) {
      const text = this.fs.read(this.config.doctor.nftables_conf)
      if (text !== undefined) result = {tables: parseNftRuleset(this.expandNftIncludes(text, 0)), source: this.config.doctor.nftables_conf}
    }
    this.cache.set('nft', result)
    return result
  }

  private expandIncludes(text: string, depth: number): string {
    if (depth > 4) return text
    return text.split('\n').map((line) => {
      const m = /^\s*include\s+"?([^"\s]+)"?/.exec(line)
      return m ? this.globFiles(m[1]).map((p) => this.expandIncludes(this.fs.read(p) ?? '', depth + 1)).join('\n') : line
    }).join('\n')
  }

  private expandNftIncludes(text: string, depth: number): string {
    if (depth > 4) return text
    return text.split('\n').map((line) => {
      const m = /^\s*include\s+"([^"]+)"/.exec(line)
      return m ? this.globFiles(m[1]).map((p) => this.expandNftIncludes(this.fs.read(p) ?? '', depth + 1)).join('\n') : line
    }).join('\n')
  }

  /** A path whose last component may hold `*` wildcards. */
  private globFiles(pattern: string): string[] {
    const slash = pattern.lastIndexOf('/')
    const dir = pattern.slice(0, slash) || '/'
    const base = pattern.slice(slash + 1)
    if (!base.includes('*')) return [pattern]
    const re = new RegExp(`^${base.replace(/[.+^${}()|\\?]/g, '\\$&').replace(/\*/g, '.*')}$`)
    return this.fs.list(dir).filter((n) => re.test(n)).map((n) => `${dir}/${n}`)
  }
}
