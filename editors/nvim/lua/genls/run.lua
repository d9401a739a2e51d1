-- The one path every genls server command takes, from a user command, a code action or a
-- code lens: find the buffer's client, check that its server has the command, send it, and
-- show the answer (genls.results). The server reports $/progress for long jobs, which the
-- status line shows (genls.status).
local lsp = require("genls.lsp")
local results = require("genls.results")

local M = {}

M.NO_CLIENT = "genls: no genls server is attached to this buffer (open a file of a"
  .. " configured filetype in the workspace)"

--- How each server command's answer is shown, and the title its messages use.
--- Commands not listed here (genls.status, genls.search, ...) are run by their own callers.
M.JOBS = {
  ["genls.docstring"] = { title = "docstring", view = "edit" },
  ["genls.documentFile"] = { title = "document file", view = "edit" },
  ["genls.refactor"] = { title = "refactor", view = "edit" },
  ["genls.diagram"] = { title = "diagram", view = "file" },
  ["genls.changelog"] = { title = "changelog", view = "markdown" },
  ["genls.history"] = { title = "history", view = "markdown" },
  ["genls.commitMessage"] = { title = "commit message", view = "commit" },
  ["genls.generateImage"] = { title = "image", view = "file" },
  ["genls.generateMusic"] = { title = "music", view = "file" },
  ["genls.generateSfx"] = { title = "sound effect", view = "file" },
}

--- LSP's RequestCancelled: the person stopped the job (the server changed nothing).
M.REQUEST_CANCELLED = -32800

--- The server's refusal of a command ({applied = false, message = ...}): it has already shown
--- the message as a warning, and nothing was edited, so the answer is not shown again.
function M.is_refusal(result)
  return type(result) == "table" and result.applied == false and type(result.message) == "string"
end

--- "this genls server has no genls.X command (update genls)".
function M.missing_message(name)
  return ("genls: this genls server has no %s command (update genls)"):format(name)
end

--- The buffer's genls client, or nil after telling the user why there is none.
function M.client_or_warn(bufnr)
  local client = lsp.client(bufnr)
  if not client then
    vim.notify(M.NO_CLIENT, vim.log.levels.WARN)
  end
  return client
end

--- Runs server command `name` with `arguments` for `bufnr`'s client, then calls
--- `on_result(result)`; errors (no client, no such command, a failed request) are told here.
---@param opts {bufnr: integer?, client: vim.lsp.Client?, title: string?}
function M.execute(name, arguments, opts, on_result)
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = opts.client or M.client_or_warn(bufnr)
  if not client then
    return
  end
  if not lsp.offers(client, name) then
    vim.notify(M.missing_message(name), vim.log.levels.ERROR)
    return
  end
  local title = opts.title or name
  local command = { title = title, command = name, arguments = arguments }
  lsp.exec_cmd(client, command, bufnr, function(err, result)
    if err and err.code == M.REQUEST_CANCELLED then
      vim.notify(("genls: %s cancelled"):format(title), vim.log.levels.INFO)
    elseif err then
      vim.notify(("genls: %s failed: %s"):format(title, tostring(err.message or err)),
        vim.log.levels.ERROR)
    elseif not M.is_refusal(result) then
      on_result(result)
    end
  end)
end

--- Runs one of M.JOBS and shows its answer.
function M.job(name, arguments, opts)
  local job = assert(M.JOBS[name], name)
  opts = vim.tbl_extend("keep", opts or {}, { title = job.title })
  M.execute(name, arguments, opts, function(result)
    results.show(job.view, job.title, result)
  end)
end

--- A refactor without its instruction ("Refactor with an instruction…"): asks for it here,
--- where the user can type anything, instead of letting the server offer only its presets.
function M.refactor(arguments, opts)
  if type(arguments[3]) == "string" and arguments[3] ~= "" then
    M.job("genls.refactor", arguments, opts)
    return
  end
  vim.ui.input({ prompt = "genls refactor (e.g. add type hints, simplify): " }, function(text)
    text = vim.trim(text or "")
    if text ~= "" then
      M.job("genls.refactor", { arguments[1], arguments[2], text }, opts)
    end
  end)
end

--- vim.lsp.commands handlers, so that the server's own code actions and code lenses run the
--- same way as the user commands: a diagram lens opens its file, a refactor asks what to do.
function M.register_handlers()
  for name in pairs(M.JOBS) do
    vim.lsp.commands[name] = function(command, ctx)
      local opts = {
        bufnr = ctx.bufnr,
        client = ctx.client_id and vim.lsp.get_client_by_id(ctx.client_id) or nil,
      }
      local arguments = command.arguments or {}
      if name == "genls.refactor" then
        M.refactor(arguments, opts)
      else
        M.job(name, arguments, opts)
      end
    end
  end
end

return M
