-- The user commands for genls's generating commands: each builds its server command's
-- arguments from the buffer, the cursor or the range, and the command line; genls.run does
-- the rest (checking, sending, showing the answer).
local lsp = require("genls.lsp")
local run = require("genls.run")

local M = {}

M.DIAGRAM_KINDS = { "classes", "calls", "imports" }
-- The sound effects genls.generateSfx knows (multimodal/audio/sfx.py); the server names them
-- again if this list falls behind.
M.SFX_KINDS = { "coin", "jump", "laser", "explosion", "hit", "powerup", "blip" }

local function usage(text)
  vim.notify("genls: usage: " .. text, vim.log.levels.WARN)
end

local function uri(bufnr)
  return vim.uri_from_bufnr(bufnr)
end

--- The LSP range of a user command: its line range (`:'<,'>GenlsRefactor`), else the cursor,
--- where the server takes the function around it.
---@param args {range: integer, line1: integer, line2: integer}
---@return lsp.Range
function M.command_range(args, bufnr)
  if args.range and args.range > 0 then
    local last = vim.api.nvim_buf_get_lines(bufnr, args.line2 - 1, args.line2, false)[1] or ""
    return {
      start = { line = args.line1 - 1, character = 0 },
      ["end"] = { line = args.line2 - 1, character = #last },
    }
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local position = { line = cursor[1] - 1, character = cursor[2] }
  return { start = position, ["end"] = position }
end

function M.docstring()
  local bufnr = vim.api.nvim_get_current_buf()
  run.job("genls.docstring", { uri(bufnr), vim.api.nvim_win_get_cursor(0)[1] - 1 })
end

function M.document_file()
  run.job("genls.documentFile", { uri(vim.api.nvim_get_current_buf()) })
end

function M.refactor(args)
  local bufnr = vim.api.nvim_get_current_buf()
  run.refactor({ uri(bufnr), M.command_range(args, bufnr), vim.trim(args.args or "") })
end

--- :GenlsChangelog[!] [since]: the changelog since a tag or commit (default: the last tag);
--- with ! it is merged into CHANGELOG.md (an edit to review and :write).
function M.changelog(args)
  local since = vim.trim(args.args or "")
  -- An empty Lua table would go out as a JSON list; the server wants an object.
  local options = vim.empty_dict()
  if since ~= "" then
    options.since = since
  end
  if args.bang then
    options.apply = true
  end
  run.job("genls.changelog", { options })
end

--- :GenlsHistory [symbol]: the story of the function or class under the cursor.
function M.history(args)
  local bufnr = vim.api.nvim_get_current_buf()
  local symbol = vim.trim(args.args or "")
  run.job("genls.history", { {
    uri = uri(bufnr),
    symbol = symbol ~= "" and symbol or nil,
    line = vim.api.nvim_win_get_cursor(0)[1] - 1,
  } })
end

function M.commit_message()
  run.job("genls.commitMessage", {})
end

--- The server's own call-graph action at the cursor (it knows Class.method names), as
--- diagram options; nil when the cursor is in no function.
local function calls_at_cursor(bufnr, done)
  local client = run.client_or_warn(bufnr)
  if not client then
    return
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local position = { line = cursor[1] - 1, character = cursor[2] }
  lsp.request(client, "textDocument/codeAction", {
    textDocument = { uri = uri(bufnr) },
    range = { start = position, ["end"] = position },
    context = { diagnostics = {}, only = { "source.genls.diagram" } },
  }, function(err, actions)
    for _, action in ipairs(not err and actions or {}) do
      local options = action.command and (action.command.arguments or {})[1]
      if type(options) == "table" and options.kind == "calls" then
        return done(options)
      end
    end
    usage(":GenlsDiagram calls {function} (or put the cursor in a function)")
  end, bufnr)
end

--- :GenlsDiagram {kind} [symbol]: classes of this file (or of one class), calls from a
--- function (the one under the cursor by default), imports of this file's folder.
function M.diagram(args)
  local kind, symbol = args.fargs[1], args.fargs[2]
  if not vim.tbl_contains(M.DIAGRAM_KINDS, kind) then
    return usage(":GenlsDiagram {" .. table.concat(M.DIAGRAM_KINDS, "|") .. "} [symbol]")
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local options = { kind = kind, uri = uri(bufnr), symbol = symbol }
  if kind == "imports" then
    options.uri = vim.uri_from_fname(vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr)))
  end
  if kind == "calls" and not symbol then
    return calls_at_cursor(bufnr, function(found)
      run.job("genls.diagram", { found })
    end)
  end
  run.job("genls.diagram", { options })
end

--- A command whose one argument is a prompt, sent as `{ [key] = text }`.
local function prompted(name, key, what)
  return function(args)
    local text = vim.trim(args.args or "")
    if text == "" then
      return usage(what)
    end
    run.job(name, { { [key] = text } })
  end
end

M.image = prompted("genls.generateImage", "prompt", ":GenlsImage {prompt}")
M.music = prompted("genls.generateMusic", "prompt", ":GenlsMusic {prompt}")
M.sfx = prompted("genls.generateSfx", "kind",
  ":GenlsSfx {" .. table.concat(M.SFX_KINDS, "|") .. "}")

local function complete_from(list)
  return function(lead)
    return vim.tbl_filter(function(item)
      return vim.startswith(item, lead)
    end, list)
  end
end

function M.setup()
  local create = vim.api.nvim_create_user_command
  create("GenlsDocstring", M.docstring, {
    desc = "genls: write or update the docstring of the function under the cursor" })
  create("GenlsDocumentFile", M.document_file, {
    desc = "genls: write the docstrings missing in this file" })
  create("GenlsRefactor", M.refactor, { nargs = "*", range = true,
    desc = "genls: rewrite the selection (or the function under the cursor) as instructed" })
  create("GenlsChangelog", M.changelog, { nargs = "?", bang = true,
    desc = "genls: a changelog from the git history (! merges it into CHANGELOG.md)" })
  create("GenlsHistory", M.history, { nargs = "?",
    desc = "genls: the history of the function or class under the cursor" })
  create("GenlsCommitMessage", M.commit_message, {
    desc = "genls: a commit message for the staged changes" })
  create("GenlsDiagram", M.diagram, { nargs = "+", complete = complete_from(M.DIAGRAM_KINDS),
    desc = "genls: draw a class, call or import diagram and open it" })
  create("GenlsImage", M.image, { nargs = "+", desc = "genls: generate an image and open it" })
  create("GenlsMusic", M.music, { nargs = "+", desc = "genls: compose music and open it" })
  create("GenlsSfx", M.sfx, { nargs = 1, complete = complete_from(M.SFX_KINDS),
    desc = "genls: make a sound effect and open it" })
  run.register_handlers()
end

return M
