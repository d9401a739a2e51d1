-- :GenlsSearch, :GenlsIndex and :GenlsDoctor: the workspace index and the environment
-- check, from the editor. The first two ask the buffer's server; :GenlsDoctor runs the CLI.
local lsp = require("genls.lsp")

local M = {}

local NO_CLIENT = "genls: no genls server is attached to this buffer (open a file of a"
  .. " configured filetype in the workspace)"

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO)
end

--- The buffer's genls client, or nil after telling the user why there is none.
local function client_or_warn(bufnr)
  local client = lsp.client(bufnr)
  if not client then
    notify(NO_CLIENT, vim.log.levels.WARN)
  end
  return client
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
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  local command = { title = "genls search", command = "genls.search", arguments = { query } }
  lsp.exec_cmd(client, command, bufnr, function(err, hits)
    if err then
      notify("genls: search failed: " .. tostring(err.message or err), vim.log.levels.ERROR)
      return
    end
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
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  -- The server reports $/progress meanwhile; the status line shows it (genls.status).
  notify("genls: indexing the workspace...")
  local command = { title = "genls index", command = "genls.index", arguments = {} }
  lsp.exec_cmd(client, command, bufnr, function(err, summary)
    if err then
      notify("genls: indexing failed: " .. tostring(err.message or err), vim.log.levels.ERROR)
    elseif type(summary) ~= "table" then
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

--- The doctor's scratch buffer, shown in a split (reused when it is already open).
local function doctor_buffer()
  local bufnr
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == DOCTOR_BUFFER then
      bufnr = b
    end
  end
  if not bufnr then
    bufnr = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(bufnr, DOCTOR_BUFFER)
  end
  -- Every time: :bdelete and the like may have reset them.
  vim.bo[bufnr].buftype = "nofile"
  vim.bo[bufnr].bufhidden = "hide"
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].filetype = "text"
  if vim.fn.bufwinid(bufnr) == -1 then
    vim.cmd("botright split")
    vim.api.nvim_win_set_buf(0, bufnr)
  end
  return bufnr
end

local function set_lines(bufnr, lines)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return
  end
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
end

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
  local bufnr = doctor_buffer()
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
end

return M
