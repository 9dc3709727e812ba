#!/usr/bin/env node
import { runCli } from './cli.js'

// Exit explicitly: after a clean stop nothing is left to finish, and a stray handle must not keep the process up.
process.exit(await runCli(process.argv))
