-- :GenlsSearch, :GenlsIndex and :GenlsDoctor: the workspace index and the environment
-- check, from the editor. The first two ask the buffer's server; :GenlsDoctor runs the CLI.
-- The generating commands (:GenlsDocstring, :GenlsDiagram, ...) are in genls.actions.
local lsp = require("genls.lsp")
local results = require("genls.results")
local run = require("genls.run")

local M = {}

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO)
end

local function first_line(text)
  for line in tostring(text or ""):gmatch("[^\n]+") do
    if line:match("%S") then
      return vim.trim(line)
    end
  end
  return ""
end

--- Quickfix items from `genls.search` hits (0-based lines become 1-based).
---@param hits table[]
---@return vim.quickfix.entry[]
function M.quickfix_items(hits)
  local items = {}
  for _, hit in ipairs(hits) do
    local text = first_line(hit.text)
    if type(hit.symbol) == "string" and hit.symbol ~= "" then
      text = hit.symbol .. ": " .. text
    end
    table.insert(items, {
      filename = vim.uri_to_fname(hit.uri),
      lnum = hit.range.start.line + 1,
      col = hit.range.start.character + 1,
      text = text,
    })
  end
  return items
end

--- :GenlsSearch {query}
function M.search(query)
  query = vim.trim(query or "")
  if query == "" then
    notify("genls: usage: :GenlsSearch {query}", vim.log.levels.WARN)
    return
  end
  run.execute("genls.search", { query }, { title = "search" }, function(hits)
    if type(hits) ~= "table" or #hits == 0 then
      notify(("genls: no results for %q (is the index ready? see :GenlsStatus)"):format(query))
      return
    end
    vim.fn.setqflist({}, " ", { title = "genls: " .. query, items = M.quickfix_items(hits) })
    vim.cmd("botright copen")
  end)
end

--- "genls: indexed N files, M chunks in S s" from a `genls.index` summary.
function M.describe_index(summary)
  return ("genls: indexed %d files, %d chunks in %.1f s"):format(
    summary.files or 0, summary.chunks or 0, summary.seconds or 0)
end

--- :GenlsIndex
function M.index()
  if not run.client_or_warn(vim.api.nvim_get_current_buf()) then
    return
  end
  -- The server reports $/progress meanwhile; the status line shows it (genls.status).
  notify("genls: indexing the workspace...")
  run.execute("genls.index", {}, { title = "indexing" }, function(summary)
    if type(summary) ~= "table" then
      notify("genls: nothing indexed (the index is off, or the server is closing)",
        vim.log.levels.WARN)
    else
      notify(M.describe_index(summary))
    end
  end)
end

--- The genls command line in `cmd`: the parts before its `serve` (so
--- `{ "python", "-m", "genls", "serve" }` runs genls, not Python), followed by `args`.
function M.genls_cli(cmd, args)
  local result = {}
  for _, part in ipairs(cmd) do
    if part == "serve" then
      break
    end
    table.insert(result, part)
  end
  return vim.list_extend(result, args)
end

--- The doctor command line: the configured model, and --skip-speed.
function M.doctor_cmd(cmd, settings)
  local result = M.genls_cli(cmd, { "doctor", "--skip-speed" })
  for _, name in ipairs({ "model", "backend", "endpoint" }) do
    if type(settings[name]) == "string" then
      vim.list_extend(result, { "--" .. name, settings[name] })
    end
  end
  return result
end

local DOCTOR_BUFFER = "genls://doctor"
local set_lines = results.set_lines

--- :GenlsDoctor
function M.doctor()
  local genls = require("genls")
  local config = genls.config or genls.defaults
  local exe = config.cmd[1]
  if type(exe) ~= "string" or vim.fn.executable(exe) ~= 1 then
    notify(("genls: `%s` is not executable. Install genls (`pip install genls`) or set `cmd`,"
      .. " e.g. require('genls').setup({ cmd = { '/path/to/genls', 'serve' } })"):format(
      tostring(exe)), vim.log.levels.ERROR)
    return
  end
  local args = M.doctor_cmd(config.cmd, config.settings or {})
  local shown = "$ " .. table.concat(args, " ")
  local bufnr = results.scratch(DOCTOR_BUFFER, "text")
  set_lines(bufnr, { shown, "", "running..." })
  local client = lsp.any_client()
  local cwd = client and (client.root_dir or client.config.root_dir) or vim.fn.getcwd()
  local ok, err = pcall(vim.system, args, { text = true, cwd = cwd }, vim.schedule_wrap(
    function(result)
      local output = vim.trim((result.stdout or "") .. "\n" .. (result.stderr or ""))
      local lines = { shown, "" }
      vim.list_extend(lines, vim.split(output, "\n", { plain = true }))
      if result.code ~= 0 then
        vim.list_extend(lines, { "", ("genls doctor exited with code %d: some essential"
          .. " checks failed (see above)"):format(result.code) })
      end
      set_lines(bufnr, lines)
    end))
  if not ok then
    set_lines(bufnr, { shown, "", "could not run it: " .. tostring(err) })
  end
end

function M.setup()
  vim.api.nvim_create_user_command("GenlsSearch", function(args)
    M.search(args.args)
  end, { nargs = "+", desc = "genls: search the workspace index into the quickfix list" })
  vim.api.nvim_create_user_command("GenlsIndex", M.index, {
    desc = "genls: re-index the workspace now",
  })
  vim.api.nvim_create_user_command("GenlsDoctor", M.doctor, {
    desc = "genls: check the models and llama.cpp (genls doctor) in a scratch buffer",
  })
  require("genls.actions").setup()
end

return M
